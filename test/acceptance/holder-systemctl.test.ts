/**
 * With systemd running the machine and tunform-holder@.service installed, an
 * apply starts the namespace's holder through `systemctl start` on the
 * systemd-escaped instance, and `tunform holder restart` restarts the holder
 * that is the unit's main process with `systemctl restart` (the fd store keeps
 * the carrier), any other by a hand-over. PID 1 is not systemd on the test
 * machines: a fake systemctl (test/support/fake-systemctl.ts) records its calls
 * and runs the unit's ExecStart under test/fixtures-py/fake-systemd.py
 * (notify, fd store); $TUNFORM_SYSTEMD_RUN_DIR stands in for
 * /run/systemd/system. The CLI, helper and kernel are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, requireBuiltCli, runTunform, SpecDir, specYaml } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { buildReader, holderProcesses, infoData, link, Reader } from '../support/traffic.js';
import { pollCarrier } from '../support/carrier.js';
import { holderRequest } from '../../src/sys/holder-session.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { systemdEscape } from '../../src/boot/holder-start-mode.js';
import { failedCalls, lastStarted, stopFakeSystemctl, writeFakeSystemctl } from '../support/fake-systemctl.js';

let ns = '';
let work = '';
let specs: SpecDir | undefined;

describe.skipIf(skipUnlessRoot())('acceptance: the holder is started through systemctl when systemd runs the machine', () => {
  beforeAll(() => {
    requireBuiltCli();
    work = mkdtempSync(join(tmpdir(), 'tunform-systemctl-'));
    ns = createNetns('sdh');
    specs = new SpecDir('systemctl');
  });
  afterAll(() => {
    stopFakeSystemctl(work);
    destroyNetns(ns);
    specs?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN the holder unit installed WHEN an apply needs a holder THEN it runs systemctl start on the escaped instance and uses the holder systemd started', async () => {
    const units = join(work, 'systemd');
    mkdirSync(units);
    writeFileSync(join(units, 'tunform-holder@.service'), '[Service]\n');
    const systemctl = writeFakeSystemctl(work, join(repoRoot, 'helper', 'build', 'tunform-helper'), ns);
    const file = specs!.write('a.yaml', specYaml([{ name: 'sd0', mode: 'tun', multiQueue: true, keepCarrier: true }], ns));

    const r = await runTunform(['apply', '-f', file], { env: { TUNFORM_SYSTEMCTL: systemctl, TUNFORM_SYSTEMD_RUN_DIR: units } });

    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'calls'), 'utf8')).toBe(`start tunform-holder@${systemdEscape(ns)}.service\n`);
    expect(systemdEscape(ns)).toContain('\\x2d');
    expect(holderProcesses(ns)).toEqual([lastStarted(work)]);
    expect(failedCalls(work)).toEqual([]);
    expect(link(ns, 'sd0').flags).toContain('LOWER_UP');
  });

  it('GIVEN the holder unit installed but systemctl start failing WHEN an apply needs a holder THEN the holder starts directly, the run succeeds, and the user is warned why the holder is not supervised', async () => {
    const other = createNetns('sdf');
    try {
      // GIVEN a unit file and a systemctl that refuses to start it
      const units = join(work, 'systemd-failing');
      mkdirSync(units);
      writeFileSync(join(units, 'tunform-holder@.service'), '[Service]\n');
      const failing = join(work, 'systemctl-failing');
      writeFileSync(failing, '#!/bin/sh\necho "Job for $2 failed because the control process exited with error code." >&2\nexit 1\n', { mode: 0o755 });
      const file = specs!.write('f.yaml', specYaml([{ name: 'sd2', mode: 'tun', multiQueue: true, keepCarrier: true }], other));
      // WHEN an apply needs the holder
      const r = await runTunform(['apply', '-f', file], { env: { TUNFORM_SYSTEMCTL: failing, TUNFORM_SYSTEMD_RUN_DIR: units } });
      const json = await runTunform(['apply', '-f', file, '--json'], { env: { TUNFORM_SYSTEMCTL: failing, TUNFORM_SYSTEMD_RUN_DIR: units } });
      // THEN the holder serves the run, and stderr says the holder is outside its unit and why
      expect(r.code, r.stderr).toBe(0);
      expect(holderProcesses(other)).toHaveLength(1);
      expect(link(other, 'sd2').flags).toContain('LOWER_UP');
      expect(r.stderr).toContain(
        `warning: the holder runs outside its systemd unit (no supervision, no fd store across restarts): systemctl start tunform-holder@${systemdEscape(other)}.service:`,
      );
      expect(r.stderr).toContain('failed because the control process exited with error code');
      // AND an in-sync re-apply needs no holder start, so it has nothing to warn about
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).report.warnings).toEqual([]);
    } finally {
      destroyNetns(other);
    }
  });

  it('GIVEN systemd absent WHEN an apply needs a holder THEN it starts the holder directly and calls no systemctl', async () => {
    const other = createNetns('sdd');
    try {
      const file = specs!.write('b.yaml', specYaml([{ name: 'sd1', mode: 'tun', multiQueue: true, keepCarrier: true }], other));
      const r = await runTunform(['apply', '-f', file], {
        env: { TUNFORM_SYSTEMCTL: join(work, 'systemctl'), TUNFORM_SYSTEMD_RUN_DIR: join(work, 'no-such-dir') },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(work, 'calls'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
      expect(holderProcesses(other)).toHaveLength(1);
    } finally {
      destroyNetns(other);
    }
  });
});

describe.skipIf(skipUnlessRoot())('acceptance: tunform holder restart when systemd runs the holder', () => {
  const DEV = 'sr0';
  const BARE = 'sr1';
  let rns = '';
  let rwork = '';
  let rspecs: SpecDir | undefined;
  let readerBuild: { bin: string; cleanup: () => void } | undefined;
  let env: Record<string, string> = {};
  beforeAll(() => {
    requireBuiltCli();
    readerBuild = buildReader();
    rwork = mkdtempSync(join(tmpdir(), 'tunform-sdrestart-'));
    rns = createNetns('sdr');
    rspecs = new SpecDir('sdrestart');
    const units = join(rwork, 'systemd');
    mkdirSync(units);
    writeFileSync(join(units, 'tunform-holder@.service'), '[Service]\n');
    env = { TUNFORM_SYSTEMCTL: writeFakeSystemctl(rwork, join(repoRoot, 'helper', 'build', 'tunform-helper'), rns), TUNFORM_SYSTEMD_RUN_DIR: units };
  });
  afterAll(() => {
    stopFakeSystemctl(rwork);
    destroyNetns(rns);
    rspecs?.remove();
    readerBuild?.cleanup();
    rmSync(rwork, { recursive: true, force: true });
  });

  it('GIVEN the holder is the main process of its unit, a reader attached WHEN tunform holder restart THEN systemctl restarts the unit, carrier never drops, and the new main process serves the next apply', async () => {
    const devices = [
      { name: DEV, mode: 'tun', multiQueue: true, keepCarrier: true, addresses: ['172.31.0.1/24'] },
      // No reader: only the holder's fd (and the store's copy) gives it carrier, so a dropped store shows here.
      { name: BARE, mode: 'tun', multiQueue: true, keepCarrier: true },
    ] as const;
    const file = rspecs!.write('r.yaml', specYaml([...devices], rns));
    const first = await runTunform(['apply', '-f', file], { env });
    expect(first.code, first.stderr).toBe(0);
    const oldPid = lastStarted(rwork);
    expect(holderProcesses(rns)).toEqual([oldPid]);
    const reader = await Reader.start(readerBuild!.bin, rns, DEV);
    const unit = `tunform-holder@${systemdEscape(rns)}.service`;

    const poller = await pollCarrier(rns, [DEV, BARE], join(rwork, 'stop'));
    let r;
    let carrier;
    try {
      r = await runTunform(['holder', 'restart', '--netns', rns, '--json'], { env });
    } finally {
      carrier = await poller.stop();
    }

    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { oldPid: number; newPid: number; via: string; unit: string };
    expect(doc).toMatchObject({ oldPid, via: 'systemctl', unit });
    const newPid = lastStarted(rwork);
    expect(doc.newPid).toBe(newPid);
    expect(newPid).not.toBe(oldPid);
    const calls = readFileSync(join(rwork, 'calls'), 'utf8').split('\n').filter(Boolean);
    expect(calls.slice(1)).toEqual([`show -P MainPID ${unit}`, `restart ${unit}`]);
    // SIGTERM ended the old holder (no FDSTOREREMOVE on the way out), and the new one took the stored queue back.
    expect(readFileSync(join(rwork, 'answers'), 'utf8')).toContain('stopped 15\n');
    expect(readFileSync(join(rwork, 'stderr'), 'utf8')).toMatch(new RegExp(`holder ${newPid} serves .*; 2 device\\(s\\) taken back from the fd store`));
    expect(carrier.samples).toBeGreaterThan(10);
    expect(carrier.down).toBe(0);
    expect(holderProcesses(rns)).toEqual([newPid]);
    // The very same queues, not new attaches: still detached.
    expect(infoData(rns, DEV)).toMatchObject({ numqueues: 1, numdisabled: 1 });
    expect(infoData(rns, BARE)).toMatchObject({ numqueues: 0, numdisabled: 1 });

    // The unit is still active with the new holder as its main process: the next apply's systemctl start finds it running and uses it.
    const more = rspecs!.write(
      'r2.yaml',
      specYaml([...devices, { name: 'sr2', mode: 'tun', multiQueue: true, keepCarrier: true }], rns),
    );
    const next = await runTunform(['apply', '-f', more], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(readFileSync(join(rwork, 'calls'), 'utf8').split('\n').filter(Boolean).at(-1)).toBe(`start ${unit}`);
    expect(holderProcesses(rns)).toEqual([newPid]);
    expect(await holderRequest(rns, ['list'])).toEqual([`ok list ${DEV} ${BARE} sr2`]);
    expect(failedCalls(rwork)).toEqual([]);
    await reader.kill();
    expect(link(rns, DEV).flags).toContain('LOWER_UP');
    expect(link(rns, BARE).flags).toContain('LOWER_UP');
  });

  it('GIVEN the unit is installed but the holder is not its main process WHEN tunform holder restart THEN the holder hands over, and no systemctl restart', async () => {
    const other = createNetns('sdo');
    try {
      const file = rspecs!.write('o.yaml', specYaml([{ name: 'so0', mode: 'tun', multiQueue: true, keepCarrier: true }], other));
      // Started before the unit was installed: a daemon holder.
      const a = await runTunform(['apply', '-f', file]);
      expect(a.code, a.stderr).toBe(0);
      const [daemon] = holderProcesses(other);
      const before = readFileSync(join(rwork, 'calls'), 'utf8');

      const r = await runTunform(['holder', 'restart', '--netns', other, '--json'], { env });

      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { oldPid: number; newPid: number; via: string };
      expect(doc).toMatchObject({ oldPid: daemon, via: 'hand-over' });
      expect(holderProcesses(other)).toEqual([doc.newPid]);
      const unit = `tunform-holder@${systemdEscape(other)}.service`;
      expect(readFileSync(join(rwork, 'calls'), 'utf8').slice(before.length)).toBe(`show -P MainPID ${unit}\n`);
      expect(link(other, 'so0').flags).toContain('LOWER_UP');
    } finally {
      destroyNetns(other);
    }
  });
});
