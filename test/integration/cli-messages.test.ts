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
import { ipn, isRoot, uniqueNetnsName } from '../support/netns.js';
import { Attacher, buildAttacher } from '../support/attacher.js';
import { inNetns } from '../support/traffic.js';
import { NOBODY_UID, NOGROUP_GID } from '../support/setuid.js';

let dir: SpecDir;
let attacher: { bin: string; cleanup: () => void } | undefined;

// Under CI a missing prerequisite is a failure: only a local non-root run may skip.
describe.skipIf(!isRoot() && process.env.CI !== 'true')('CLI messages and output (real CLI)', () => {
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
      [`${file}: valid, 2 devices.`, 'tun-a (tun, multiQueue, keepCarrier)', '    mtu = 1400', '    addresses = [10.9.0.1/24]',
        'tap-b (tap)', '    up = false', ''].join('\n'),
    );
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
