/**
 * Issue 13: `tunform drift --synth` over a stack that mixes the machine it
 * runs on (a provider without `host`) with remote hosts, one of them with a
 * provider `netns`, and `--netns` over such a stack (it replaces every
 * provider's namespace, on every host). The hosts are namespaces with a real
 * sshd (test/support/ssh-hosts.ts); "this machine" is the hub, where the CLI
 * runs. No Terraform: the devices are made with the CLI, locally and with
 * `--host`. Namespaces are one machine's here, so a host's `netns` is a
 * namespace of this test that every host (and this machine) can see.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { SshFleet, sshdMissing } from '../support/ssh-hosts.js';

const missing = skipUnlessRoot() ? 'needs root' : sshdMissing();

let fleet: SshFleet;
let dir: SpecDir;
let other: string;

const inHub = (args: string[]) => runTunform(args, { wrap: fleet.inHub, env: { TUNFORM_REMOTE_TUNFORM: cliBin } });

/** The mixed stack: mx0 here (no host), mx0 on host 0, mx1 on host 1 in netns `other`. */
function stack(): string {
  const ssh = (i: number) => ({ alias: `h${i}`, host: fleet.hosts[i]!.url, known_hosts: fleet.knownHosts, private_key_path: fleet.identity });
  const doc = {
    provider: { tunform: [{}, ssh(0), { ...ssh(1), netns: other }] },
    resource: {
      tunform_netdev: {
        here: { name: 'mx0', mode: 'tun', addresses: ['172.21.1.1/24'] },
        h0: { provider: 'tunform.h0', name: 'mx0', mode: 'tun', addresses: ['172.21.2.1/24'] },
        h1: { provider: 'tunform.h1', name: 'mx1', mode: 'tun', addresses: ['172.21.3.1/24'] },
      },
    },
  };
  const out = join(dir.path, 'cdktf.out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'cdk.tf.json'), JSON.stringify(doc));
  return out;
}

const statuses = (stdout: string) => (JSON.parse(stdout) as { hosts: { host: string; status: string }[] }).hosts.map((h) => [h.host, h.status]);

describe.skipIf(missing !== undefined)('fleet drift over a stack of this machine and remote hosts (real sshd, kernel)', () => {
  beforeAll(async () => {
    requireBuiltCli();
    dir = new SpecDir('fleet-mixed');
    // Before the hosts: each sshd's mount namespace is a copy taken at its start, so only namespaces made earlier are there.
    other = createNetns('fmx');
    fleet = await SshFleet.create('fm', 2);
    // GIVEN each member's devices applied where the stack puts them
    const spec = (name: string, address: string) => dir.write(`${name}-${address.split('.')[2]}.yaml`, specYaml([{ name, mode: 'tun', addresses: [address] }]));
    const applied = [
      await inHub(['apply', '-f', spec('mx0', '172.21.1.1/24')]),
      await inHub(['apply', '-f', spec('mx0', '172.21.2.1/24'), ...fleet.cliArgs(0)]),
      await inHub(['apply', '-f', spec('mx1', '172.21.3.1/24'), `--netns=${other}`, ...fleet.cliArgs(1)]),
    ];
    for (const r of applied) if (r.code !== 0) throw new Error(`apply failed: ${r.stdout}${r.stderr}`);
  });
  afterAll(() => {
    fleet?.destroy();
    if (other) destroyNetns(other);
    dir?.remove();
  });

  it('checks this machine and each host (with its provider netns), reports only the member that drifted, and --netns replaces every namespace', async () => {
    const out = stack();
    const url = (i: number) => fleet.hosts[i]!.url;
    // WHEN drift --synth checks the mixed stack, THEN every member is in sync
    const clean = await inHub(['drift', '--synth', out]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toContain('== local (tunform): in sync');
    expect(clean.stdout).toContain('3 hosts: 3 in sync, 0 drifted, 0 could not be checked');

    // GIVEN an address removed from this machine's device
    ipn(fleet.hub, 'addr', 'del', '172.21.1.1/24', 'dev', 'mx0');
    // WHEN drift --synth runs, THEN it exits 2 and only this machine drifted
    const drifted = await inHub(['drift', '--synth', out, '--json']);
    expect(drifted.code, drifted.stdout + drifted.stderr).toBe(2);
    expect(statuses(drifted.stdout)).toEqual([
      ['local', 'drift'],
      [url(0), 'in-sync'],
      [url(1), 'in-sync'],
    ]);

    // WHEN --netns names host 1's namespace for the whole stack
    const moved = await inHub(['drift', '--synth', out, `--netns=${other}`, '--json']);
    // THEN every member is checked there: mx0 is missing there for this machine and host 0; host 1 is in sync
    expect(moved.code, moved.stdout + moved.stderr).toBe(2);
    expect(statuses(moved.stdout)).toEqual([
      ['local', 'drift'],
      [url(0), 'drift'],
      [url(1), 'in-sync'],
    ]);
    const hosts = (JSON.parse(moved.stdout) as { hosts: { drift: { netns: string | null } }[] }).hosts;
    expect(hosts.map((h) => h.drift.netns)).toEqual([other, other, other]);
  }, 300_000);
});
