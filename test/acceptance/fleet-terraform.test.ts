/**
 * Issue 13's acceptance: one `terraform apply` reconciles four hosts over
 * SSH, one provider alias per host. The hosts are namespaces with a real
 * sshd each (test/support/ssh-hosts.ts); Terraform and the provider run in
 * the hub namespace, the remote tunform is this checkout's. Real terraform,
 * real kernel, real OpenSSH; a missing terraform or (under CI) sshd fails.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot, requireBuiltCli, runTunform, type CliResult } from '../support/cli.js';
import { ipn } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { SshFleet, sshdMissing } from '../support/ssh-hosts.js';
import { requireTerraform, TerraformSetup } from '../support/terraform.js';
import { addresses, tunLinks } from '../support/traffic.js';

const VERSION = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
const HOSTS = 4;
const PER_HOST = 25;
const missing = skipUnlessRoot() ? 'needs root' : sshdMissing();

let fleet: SshFleet;
let tf: TerraformSetup;

/** Terraform on the operator's side: in the hub, with the remote tunform named for the provider. */
const terraform = (args: readonly string[]): Promise<CliResult> => tf.terraform(args, { wrap: fleet.inHub, env: { TUNFORM_REMOTE_TUNFORM: cliBin } });

function fleetConfig(): string {
  let hcl = `terraform {\n  required_providers {\n    tunform = {\n      source  = "terraform.local/tunform/tunform"\n      version = "${VERSION}"\n    }\n  }\n}\n`;
  for (const h of fleet.hosts) {
    hcl += `\nprovider "tunform" {\n  alias            = "h${h.index}"\n  host             = "${h.url}"\n  known_hosts      = "${fleet.knownHosts}"\n  private_key_path = "${fleet.identity}"\n}\n`;
    hcl += `\nresource "tunform_netdev" "h${h.index}" {\n  provider  = tunform.h${h.index}\n  count     = ${PER_HOST}\n  name      = "fl\${count.index}"\n  mode      = "tun"\n  addresses = ["172.20.\${count.index}.1/24"]\n}\n`;
  }
  return hcl;
}

/**
 * The same fleet as a synthesized stack (cdk.tf.json, literal resources: drift
 * --synth reads values, not expressions), for `tunform drift --synth`.
 */
function fleetStack(): string {
  const dir = join(tf.root, 'cdktf.out');
  mkdirSync(dir, { recursive: true });
  const provider = fleet.hosts.map((h) => ({ alias: `h${h.index}`, host: h.url, known_hosts: fleet.knownHosts, private_key_path: fleet.identity }));
  const netdevs: Record<string, unknown> = {};
  for (const h of fleet.hosts) {
    for (let i = 0; i < PER_HOST; i++) netdevs[`h${h.index}_${i}`] = { provider: `tunform.h${h.index}`, name: `fl${i}`, mode: 'tun', addresses: [`172.20.${i}.1/24`] };
  }
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ provider: { tunform: provider }, resource: { tunform_netdev: netdevs } }));
  return dir;
}

/** `tunform drift --synth` from the hub, as a CI job on the operator's side would run it. */
const fleetDrift = (dir: string, ...extra: string[]) =>
  runTunform(['drift', '--synth', dir, ...extra], { wrap: fleet.inHub, env: { TUNFORM_REMOTE_TUNFORM: cliBin } });

const tunDevices = (ns: string) => tunLinks(ns).filter((l) => l.linkinfo?.info_kind === 'tun').map((l) => l.ifname).sort();

/** Resource addresses a plan or apply output says it will change. */
const changed = (out: string) => [...out.matchAll(/# (tunform_netdev\.\S+) (?:will be|must be)/g)].map((m) => m[1]);

describe.skipIf(missing !== undefined)('fleet: 4 hosts over SSH in one terraform apply (real terraform, sshd, kernel)', () => {
  beforeAll(async () => {
    requireBuiltCli();
    requireTerraform();
    fleet = await SshFleet.create('ft', HOSTS);
    tf = new TerraformSetup('fleet');
    const installed = await tf.installProvider();
    if (installed.code !== 0) throw new Error(`install-provider failed: ${installed.stderr}`);
    tf.writeConfig(fleetConfig());
    const init = await terraform(['init', '-input=false']);
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
  });
  afterAll(() => {
    fleet?.destroy();
    tf?.remove();
  });

  it('applies 4 × 25 devices, sees drift on one host only, and a stopped sshd fails only that host, naming it', async () => {
    // WHEN one apply runs for the whole fleet
    const apply = await terraform(['apply', '-auto-approve', '-input=false', '-parallelism=50']);
    // THEN it succeeds and each host has exactly its 25 devices with their addresses
    expect(apply.code, apply.stderr).toBe(0);
    for (const h of fleet.hosts) {
      expect(tunDevices(h.netns)).toEqual(Array.from({ length: PER_HOST }, (_, i) => `fl${i}`).sort());
      expect(addresses(h.netns, 'fl7')).toEqual(['172.20.7.1/24']);
    }
    expect(tunDevices(fleet.hub)).toEqual([]);

    // GIVEN an address removed by hand on host 2
    ipn(fleet.hosts[2]!.netns, 'addr', 'del', '172.20.7.1/24', 'dev', 'fl7');
    // WHEN terraform plans with -detailed-exitcode
    const plan = await terraform(['plan', '-detailed-exitcode', '-input=false']);
    // THEN it exits 2 and names host 2's resource only
    expect(plan.code, plan.stderr).toBe(2);
    expect(changed(plan.stdout)).toEqual(['tunform_netdev.h2[7]']);
    expect(plan.stdout).toContain('172.20.7.1/24');
    // WHEN tunform drift --synth checks the same fleet
    const stackDir = fleetStack();
    const drift = await fleetDrift(stackDir, '--json');
    // THEN it exits 2 and reports host 2 only as drifted
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    const hosts = (JSON.parse(drift.stdout) as { hosts: { host: string; status: string }[] }).hosts;
    expect(hosts.map((h) => [h.host, h.status])).toEqual(fleet.hosts.map((h) => [h.url, h.index === 2 ? 'drift' : 'in-sync']));

    // GIVEN a planned repair on hosts 2 and 3, then host 3's sshd stopped (its shared connection too)
    ipn(fleet.hosts[3]!.netns, 'addr', 'del', '172.20.5.1/24', 'dev', 'fl5');
    const planned = await terraform(['plan', '-out=repair.tfplan', '-input=false']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(changed(planned.stdout).sort()).toEqual(['tunform_netdev.h2[7]', 'tunform_netdev.h3[5]']);
    fleet.stopSshd(3);
    // WHEN the plan is applied
    const partial = await terraform(['apply', '-input=false', '-parallelism=50', 'repair.tfplan']);
    // THEN it fails with an error naming host 3, and host 2 is repaired all the same
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain(`cannot connect to root@${fleet.hosts[3]!.address}`);
    for (const h of [0, 1, 2]) expect(partial.stderr).not.toContain(`root@${fleet.hosts[h]!.address}`);
    expect(addresses(fleet.hosts[2]!.netns, 'fl7')).toEqual(['172.20.7.1/24']);
    expect(addresses(fleet.hosts[3]!.netns, 'fl5')).toEqual([]);

    // WHEN tunform drift --synth runs with host 3 unreachable (and host 2 repaired)
    const unreachable = await fleetDrift(stackDir, '--parallel', '2');
    // THEN it exits 1, says host 3 could not be checked and why, and the others are in sync
    expect(unreachable.code, unreachable.stdout + unreachable.stderr).toBe(1);
    expect(unreachable.stdout).toContain(`== ${fleet.hosts[3]!.url} (tunform.h3): could not be checked`);
    expect(unreachable.stdout).toContain(`cannot connect to root@${fleet.hosts[3]!.address}`);
    expect(unreachable.stdout).toContain('4 hosts: 3 in sync, 0 drifted, 1 could not be checked');
  }, 900_000);
});
