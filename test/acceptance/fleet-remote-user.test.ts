/**
 * Issue 13: a device's `user` and `group` are the host's accounts, not those
 * of the machine running Terraform. The host is a namespace whose sshd (and
 * so its tunform) sees its own /etc/passwd and /etc/group (bind-mounted in
 * the sshd's mount namespace): they add an account this machine does not
 * have and lack one it has. Real terraform, sshd and kernel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot, requireBuiltCli, type CliResult } from '../support/cli.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { SshFleet, sshdMissing, type HostAccounts } from '../support/ssh-hosts.js';
import { requireTerraform, TerraformSetup } from '../support/terraform.js';
import { link, maybeLink } from '../support/traffic.js';

const VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const missing = skipUnlessRoot() ? 'needs root' : sshdMissing();

/** Only the host has these. */
const REMOTE_USER = { name: 'tfremote', id: 4711 };
const REMOTE_GROUP = { name: 'tfremotegrp', id: 4712 };
/** This machine has it (Debian's base system); the host does not. */
const LOCAL_ONLY_USER = 'daemon';

const names = (db: string) => db.split('\n').map((l) => l.split(':')[0]);

/** This machine's accounts, minus LOCAL_ONLY_USER, plus the host's own user and group. */
function hostAccounts(): HostAccounts {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  // The test proves nothing if this machine already resolves the host's names, or lacks the local one.
  if (names(passwd).includes(REMOTE_USER.name) || names(group).includes(REMOTE_GROUP.name)) throw new Error(`this machine has ${REMOTE_USER.name} or ${REMOTE_GROUP.name}`);
  if (!names(passwd).includes(LOCAL_ONLY_USER)) throw new Error(`this machine has no ${LOCAL_ONLY_USER} user`);
  const kept = passwd.split('\n').filter((l) => l !== '' && l.split(':')[0] !== LOCAL_ONLY_USER);
  return {
    passwd: [...kept, `${REMOTE_USER.name}:x:${REMOTE_USER.id}:${REMOTE_GROUP.id}::/nonexistent:/usr/sbin/nologin`, ''].join('\n'),
    group: `${group.trimEnd()}\n${REMOTE_GROUP.name}:x:${REMOTE_GROUP.id}:\n`,
  };
}

let fleet: SshFleet;
let tf: TerraformSetup;

const terraform = (args: readonly string[]): Promise<CliResult> => tf.terraform(args, { wrap: fleet.inHub, env: { TUNFORM_REMOTE_TUNFORM: cliBin } });

function config(user: string): string {
  const h = fleet.hosts[0]!;
  return [
    `terraform {\n  required_providers {\n    tunform = {\n      source  = "terraform.local/tunform/tunform"\n      version = "${VERSION}"\n    }\n  }\n}\n`,
    `provider "tunform" {\n  host             = "${h.url}"\n  known_hosts      = "${fleet.knownHosts}"\n  private_key_path = "${fleet.identity}"\n}\n`,
    `resource "tunform_netdev" "owned" {\n  name  = "ru0"\n  mode  = "tap"\n  user  = "${user}"\n  group = "${REMOTE_GROUP.name}"\n}\n`,
  ].join('\n');
}

describe.skipIf(missing !== undefined)('a device owned by an account only the remote host has (real terraform, sshd, kernel)', () => {
  beforeAll(async () => {
    requireBuiltCli();
    requireTerraform();
    fleet = await SshFleet.create('ru', 1, { accounts: hostAccounts() });
    tf = new TerraformSetup('remote-user');
    const installed = await tf.installProvider();
    if (installed.code !== 0) throw new Error(`install-provider failed: ${installed.stderr}`);
  });
  afterAll(() => {
    fleet?.destroy();
    tf?.remove();
  });

  it("plans and applies with the host's user and group, and refuses a user only this machine has, naming it", async () => {
    // GIVEN a device whose user and group exist only on the host
    tf.writeConfig(config(REMOTE_USER.name));
    const init = await terraform(['init', '-input=false']);
    expect(init.code, init.stderr).toBe(0);
    // WHEN terraform applies it
    const apply = await terraform(['apply', '-auto-approve', '-input=false']);
    // THEN it succeeds and the host's device is owned by the host's ids
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(link(fleet.hosts[0]!.netns, 'ru0').linkinfo?.info_data).toMatchObject({ type: 'tap', user: REMOTE_USER.id, group: REMOTE_GROUP.id });
    expect(maybeLink(fleet.hub, 'ru0')).toBeUndefined();
    // AND a plan sees it in sync (Read keeps the names)
    const plan = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);

    // GIVEN the user changed to one this machine has and the host lacks
    tf.writeConfig(config(LOCAL_ONLY_USER));
    // WHEN terraform plans
    const refused = await terraform(['plan', '-input=false']);
    // THEN the plan fails on that name (checked against the host's accounts), and the device is untouched
    expect(refused.code).toBe(1);
    expect(refused.stderr.replace(/\s+/g, ' ')).toContain(`'user' ("${LOCAL_ONLY_USER}") is not a known user on root@${fleet.hosts[0]!.address} (/etc/passwd)`);
    expect(link(fleet.hosts[0]!.netns, 'ru0').linkinfo?.info_data).toMatchObject({ user: REMOTE_USER.id });
  }, 300_000);
});
