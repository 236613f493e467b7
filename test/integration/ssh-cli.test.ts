/**
 * `--host ssh://...` (issue 13): the CLI in a hub namespace runs each command
 * through the real OpenSSH client on a host namespace whose real sshd starts
 * the host's tunform. The remote results must be exactly the local ones on
 * that namespace, and a host whose key is not known is refused.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir, specYaml, type CliResult } from '../support/cli.js';
import { ipn } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { SshFleet, sshdMissing } from '../support/ssh-hosts.js';
import { addresses, maybeLink } from '../support/traffic.js';

const missing = skipUnlessRoot() ? 'needs root' : sshdMissing();
let fleet: SshFleet;
let dir: SpecDir;

/** The CLI on the operator's side (the hub), against host i. */
const remote = (i: number, args: string[]) => runTunform([...args, ...fleet.cliArgs(i)], { wrap: fleet.inHub });
/** The same CLI run locally inside host i's namespace. */
const local = (i: number, args: string[]) => runTunform(args, { wrap: ['ip', 'netns', 'exec', fleet.hosts[i]!.netns] });

const same = (a: CliResult, b: CliResult) => expect({ code: a.code, stdout: a.stdout, stderr: a.stderr }).toEqual({ code: b.code, stdout: b.stdout, stderr: b.stderr });

describe.skipIf(missing !== undefined)('tunform --host over SSH (real sshd in namespaces)', () => {
  beforeAll(async () => {
    requireBuiltCli();
    dir = new SpecDir('ssh-cli');
    fleet = await SshFleet.create('sc', 2);
  });
  afterAll(() => {
    fleet?.destroy();
    dir?.remove();
  });

  it('plan, apply, drift, show and destroy over SSH give what a local run on that host gives', async () => {
    // GIVEN a spec with a multi-queue keepCarrier tun and a tap, and nothing on host 0
    const file = dir.write(
      'two.yaml',
      specYaml([
        { name: 'st0', mode: 'tun', multiQueue: true, keepCarrier: true, addresses: ['172.31.7.1/24'] },
        { name: 'st1', mode: 'tap', mtu: 1400 },
      ]),
    );
    // WHEN plan runs over SSH and locally, THEN both print the same plan, text and JSON
    same(await remote(0, ['plan', '-f', file]), await local(0, ['plan', '-f', file]));
    same(await remote(0, ['plan', '-f', file, '--json']), await local(0, ['plan', '-f', file, '--json']));

    // WHEN apply runs over SSH
    const applied = await remote(0, ['apply', '-f', file, '--json']);
    // THEN it succeeds on host 0 only, and a local drift there finds nothing
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ changed: true, verified: true });
    expect(addresses(fleet.hosts[0]!.netns, 'st0')).toEqual(['172.31.7.1/24']);
    expect(maybeLink(fleet.hosts[1]!.netns, 'st0')).toBeUndefined();
    expect(await local(0, ['drift', '-f', file])).toMatchObject({ code: 0, stdout: 'No drift.\n' });
    same(await remote(0, ['show', '--json']), await local(0, ['show', '--json']));

    // WHEN an address is removed by hand on host 0
    ipn(fleet.hosts[0]!.netns, 'addr', 'del', '172.31.7.1/24', 'dev', 'st0');
    // THEN drift over SSH exits 2 with the local report, text and JSON
    const drift = await remote(0, ['drift', '-f', file]);
    expect(drift.code).toBe(2);
    same(drift, await local(0, ['drift', '-f', file]));
    same(await remote(0, ['drift', '-f', file, '--json']), await local(0, ['drift', '-f', file, '--json']));

    // WHEN apply runs again over SSH, THEN it restores the address and a second apply has nothing to do
    expect((await remote(0, ['apply', '-f', file])).code).toBe(0);
    expect(addresses(fleet.hosts[0]!.netns, 'st0')).toEqual(['172.31.7.1/24']);
    same(await remote(0, ['apply', '-f', file]), await local(0, ['apply', '-f', file]));

    // WHEN destroy runs over SSH, THEN the devices are gone
    expect((await remote(0, ['destroy', '-f', file])).code).toBe(0);
    expect(maybeLink(fleet.hosts[0]!.netns, 'st0')).toBeUndefined();
    expect(maybeLink(fleet.hosts[0]!.netns, 'st1')).toBeUndefined();
  });

  it('an invalid spec fails over SSH exactly as it does locally, naming the local file', async () => {
    // GIVEN a spec with an out-of-range mtu
    const file = dir.write('bad.yaml', 'devices:\n  - name: sb0\n    mode: tun\n    mtu: 70000\n');
    // WHEN validate and apply run over SSH and locally
    const r = await remote(0, ['apply', '-f', file]);
    // THEN the exit code (1) and the message (file:line:column, key, value) are the same
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:4:10: devices[0].mtu:`);
    same(r, await local(0, ['apply', '-f', file]));
    same(await remote(0, ['validate', '-f', file, '--json']), await local(0, ['validate', '-f', file, '--json']));
  });

  it('refuses a host whose key is not in known_hosts, saying how to add it, and changes nothing there', async () => {
    // GIVEN a known_hosts with host 0's key only
    const partial = join(fleet.dir, 'known_hosts_host0');
    writeFileSync(partial, `${fleet.hosts[0]!.address} ${fleet.hosts[0]!.hostKey}\n`);
    const file = dir.write('one.yaml', specYaml([{ name: 'su0', mode: 'tun' }]));
    const args = fleet.cliArgs(1);
    args[args.indexOf('--known-hosts') + 1] = partial;
    // WHEN apply targets host 1 with it
    const r = await runTunform(['apply', '-f', file, ...args], { wrap: fleet.inHub });
    // THEN it is refused (exit 4), the message names the host, the file and the command to add the key
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`refusing to connect to root@${fleet.hosts[1]!.address}: its host key is not in ${partial}`);
    expect(r.stderr).toContain(`ssh-keyscan ${fleet.hosts[1]!.address} >> ${partial}`);
    expect(maybeLink(fleet.hosts[1]!.netns, 'su0')).toBeUndefined();
    // AND a wrong key for the host is refused as a changed key
    writeFileSync(partial, `${fleet.hosts[1]!.address} ${fleet.hosts[0]!.hostKey}\n`);
    const changed = await runTunform(['apply', '-f', file, ...args], { wrap: fleet.inHub });
    expect(changed.code).toBe(4);
    expect(changed.stderr).toContain(`its host key does not match the one in ${partial}`);
    expect(maybeLink(fleet.hosts[1]!.netns, 'su0')).toBeUndefined();
  });

  it('says when the remote tunform is missing or incompatible, before doing anything', async () => {
    const file = dir.write('v.yaml', specYaml([{ name: 'sv0', mode: 'tun' }]));
    // GIVEN a remote command that does not exist
    const gone = await runTunform(['apply', '-f', file, ...fleet.cliArgs(0), '--remote-tunform', '/nonexistent/tunform'], { wrap: fleet.inHub });
    // THEN exit 4 naming the host and saying to install it
    expect(gone.code).toBe(4);
    expect(gone.stderr).toContain(`tunform is not installed on root@${fleet.hosts[0]!.address}: '/nonexistent/tunform' could not be run there`);
    // GIVEN a remote tunform of another minor version
    const old = join(fleet.dir, 'old-tunform');
    writeFileSync(old, '#!/bin/sh\necho 0.0.9\n');
    chmodSync(old, 0o755);
    const r = await runTunform(['apply', '-f', file, ...fleet.cliArgs(0), '--remote-tunform', old], { wrap: fleet.inHub });
    // THEN exit 4 saying which versions differ; drift maps any error to 1
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/runs tunform 0\.0\.9, which is not compatible with this tunform \d+\.\d+\.\d+ \(major\.minor must match\)/);
    const d = await runTunform(['drift', '-f', file, ...fleet.cliArgs(0), '--remote-tunform', old], { wrap: fleet.inHub });
    expect(d.code).toBe(1);
    expect(maybeLink(fleet.hosts[0]!.netns, 'sv0')).toBeUndefined();
  });
});
