/**
 * What users hit at the CLI's edges (issue 11, "smaller things"): a missing
 * --netns is the flag's fault and leaves nothing behind; --json failures are
 * one JSON document on stdout; validate prints what the spec declares; show
 * names processes, owners and groups.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { ipn, uniqueNetnsName } from '../support/netns.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { Attacher, buildAttacher } from '../support/attacher.js';
import { addresses, inNetns } from '../support/traffic.js';
import { NOBODY_UID, NOGROUP_GID } from '../support/setuid.js';

let dir: SpecDir;
let attacher: { bin: string; cleanup: () => void } | undefined;

describe.skipIf(skipUnlessRoot())('CLI messages and output (real CLI)', () => {
  beforeAll(() => {
    requireBuiltCli();
    dir = new SpecDir('messages');
  });
  afterAll(() => {
    dir?.remove();
    attacher?.cleanup();
  });

  it('GIVEN --netns naming no namespace WHEN apply runs THEN it blames --netns, exits 1 and leaves no run directory', async () => {
    const missing = uniqueNetnsName('gone');
    const file = dir.write('one.yaml', specYaml([{ name: 'tun-x' }]));
    const r = await runTunform(['apply', '-f', file, '--netns', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`tunform: invalid input: '--netns' ("${missing}") does not exist; use a name from 'ip netns list'\n`);
    expect(existsSync(`/run/tunform/netns/${missing}`)).toBe(false);
  });

  it('GIVEN a namespace that does not exist WHEN the helper is asked to lock it THEN it fails naming it and creates no run directory', () => {
    const missing = uniqueNetnsName('gone');
    const r = spawnSync(join(repoRoot, 'helper', 'build', 'tunform-helper'), ['--netns', missing, 'lock'], { input: '', encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tunform-helper: failed to open namespace '${missing}': No such file or directory\n`);
    expect(existsSync(`/run/tunform/netns/${missing}`)).toBe(false);
  });

  it('GIVEN --json and a failing command WHEN it runs THEN stdout is one JSON error document and stderr is empty', async () => {
    const missing = uniqueNetnsName('gone');
    const file = dir.write('two.yaml', specYaml([{ name: 'tun-x' }]));
    for (const args of [
      ['plan', '-f', '/nonexistent/spec.yaml', '--json'],
      ['drift', '-f', file, '--netns', missing, '--json'],
      ['plan', '--no-such-option', '--json'],
    ]) {
      const r = await runTunform(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toBe('');
      const doc = JSON.parse(r.stdout) as { formatVersion: number; error: { kind: string; exitCode: number; message: string } };
      expect(doc.formatVersion).toBe(1);
      expect(doc.error).toMatchObject({ kind: 'invalid', exitCode: 1 });
      expect(doc.error.message.length).toBeGreaterThan(0);
    }
  });

  it('GIVEN a spec with two devices WHEN validate runs THEN it prints each device with its flags and settings', async () => {
    const file = dir.write(
      'three.yaml',
      ['devices:', '  - name: tun-a', '    mode: tun', '    multiQueue: true', '    keepCarrier: true', '    mtu: 1400',
        '    addresses: [10.9.0.1/24]', '  - name: tap-b', '    mode: tap', '    up: false', ''].join('\n'),
    );
    const r = await runTunform(['validate', '-f', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [`${file}: valid, 2 devices.`, 'tun-a (tun, multiQueue, keepCarrier)', '    user = 0 (private: only CAP_NET_ADMIN attaches)', '    mtu = 1400',
        '    addresses = [10.9.0.1/24]', 'tap-b (tap)', '    user = 0 (private: only CAP_NET_ADMIN attaches)', '    up = false', ''].join('\n'),
    );
  });

  it('GIVEN openvpn-style peer addresses on a managed device WHEN drift, apply and show run THEN the peer is read, removed, declared and shown', async () => {
    await inNetns('msg-peer', async (ns) => {
      // GIVEN a managed tun on which a VPN put `10.200.0.1 peer 10.200.0.2` (openvpn --ifconfig), and a spec without it
      ipn(ns, 'tuntap', 'add', 'dev', 'tun-ovpn', 'mode', 'tun');
      ipn(ns, 'link', 'set', 'dev', 'tun-ovpn', 'alias', 'tunform');
      ipn(ns, 'link', 'set', 'dev', 'tun-ovpn', 'up');
      ipn(ns, 'addr', 'add', '10.200.0.1', 'peer', '10.200.0.2', 'dev', 'tun-ovpn');
      const plain = dir.write(`${ns}-plain.yaml`, specYaml([{ name: 'tun-ovpn', addresses: ['10.200.0.1/24'] }], ns));
      // WHEN drift runs THEN it names the address with its peer
      const drift = await runTunform(['drift', '-f', plain]);
      expect(drift.code).toBe(2);
      expect(drift.stdout).toContain('drift: tun-ovpn: address 10.200.0.1 peer 10.200.0.2/32 not in the spec\n');
      // WHEN apply runs THEN the peer address is removed (with its peer) and the declared one added
      const applied = await runTunform(['apply', '-f', plain]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(addresses(ns, 'tun-ovpn')).toEqual(['10.200.0.1/24']);
      // WHEN a spec declares a peer address THEN apply adds it, drift is clean and show lists it
      const peer = dir.write(`${ns}-peer.yaml`, specYaml([{ name: 'tun-ovpn', addresses: ['10.200.0.1 peer 10.200.0.2/32', 'fd00::1 peer fd00::2/128'] }], ns));
      const again = await runTunform(['apply', '-f', peer]);
      expect(again.code, again.stderr).toBe(0);
      expect((await runTunform(['drift', '-f', peer])).code).toBe(0);
      const row = (await runTunform(['show', '--netns', ns])).stdout.split('\n').find((l) => l.startsWith('tun-ovpn '));
      expect(row).toContain('10.200.0.1 peer 10.200.0.2/32,fd00::1 peer fd00::2/128');
    });
  });

  it('GIVEN a device owned by nobody:nogroup with a program attached WHEN show runs THEN owner, group and the program are named', async () => {
    attacher ??= buildAttacher();
    await inNetns('msg-show', async (ns) => {
      ipn(ns, 'tuntap', 'add', 'dev', 'tun-o', 'mode', 'tun', 'user', String(NOBODY_UID), 'group', String(NOGROUP_GID));
      const a = await Attacher.start(attacher!.bin, ns, 'tun-o', 'tun', []);
      try {
        const table = await runTunform(['show', '--netns', ns]);
        expect(table.code).toBe(0);
        const row = table.stdout.split('\n').find((l) => l.startsWith('tun-o '));
        expect(row).toContain(` nobody(${NOBODY_UID}):nogroup(${NOGROUP_GID}) `);
        expect(row).toMatch(new RegExp(`\\s${a.pid}\\(tun-attach\\)$`));
        const doc = JSON.parse((await runTunform(['show', '--netns', ns, '--json'])).stdout);
        expect(doc.devices[0]).toMatchObject({ userName: 'nobody', groupName: 'nogroup', processNames: { [a.pid]: 'tun-attach' } });
      } finally {
        await a.stop();
      }
    });
  });
});
