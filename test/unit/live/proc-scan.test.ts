/**
 * The scanner against a fake /proc tree: symlinks stand in for fd links and
 * namespace links, so the join logic is tested without real processes. The
 * real /proc is covered by test/integration/live.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanTunProcesses } from '../../../src/live/proc-scan.js';
import { fixture } from './fixtures.js';

let root: string;
let proc: string;
let ourNs: string;
let otherNs: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tunform-proc-'));
  proc = join(root, 'proc');
  mkdirSync(proc);
  ourNs = join(root, 'ns-ours');
  otherNs = join(root, 'ns-other');
  writeFileSync(ourNs, '');
  writeFileSync(otherNs, '');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

interface FakeProcess {
  pid: number;
  comm: string;
  ns: string;
  fds: Record<string, { target: string; fdinfo?: string }>;
}

function addProcess(p: FakeProcess): void {
  const dir = join(proc, String(p.pid));
  mkdirSync(join(dir, 'ns'), { recursive: true });
  mkdirSync(join(dir, 'fd'));
  mkdirSync(join(dir, 'fdinfo'));
  writeFileSync(join(dir, 'comm'), `${p.comm}\n`);
  symlinkSync(p.ns, join(dir, 'ns', 'net'));
  for (const [fd, { target, fdinfo }] of Object.entries(p.fds)) {
    symlinkSync(target, join(dir, 'fd', fd));
    if (fdinfo !== undefined) writeFileSync(join(dir, 'fdinfo', fd), fdinfo);
  }
}

const attachedTo = (name: string) => fixture('fdinfo-attached.txt').replace('mq0', name);

describe('scanTunProcesses', () => {
  it('GIVEN processes with tun fds in two namespaces WHEN scanned THEN only our namespace counts, pids sorted and unique', async () => {
    addProcess({ pid: 300, comm: 'qemu', ns: ourNs, fds: { '3': { target: '/dev/net/tun', fdinfo: attachedTo('tap0') }, '4': { target: '/dev/net/tun', fdinfo: attachedTo('tap0') } } });
    addProcess({ pid: 25, comm: 'vpn', ns: ourNs, fds: { '7': { target: '/dev/net/tun', fdinfo: attachedTo('tap0') } } });
    addProcess({ pid: 40, comm: 'other', ns: otherNs, fds: { '3': { target: '/dev/net/tun', fdinfo: attachedTo('tap0') } } });

    const scan = await scanTunProcesses({ netnsPath: ourNs, procRoot: proc });

    expect(scan.byDevice.get('tap0')).toEqual({ attachedPids: [25, 300], holderPids: [], processNames: { 25: 'vpn', 300: 'qemu' } });
    expect(scan.complete).toBe(true);
  });

  it('GIVEN a tunform-holder process WHEN scanned THEN it is listed as attached and as holder', async () => {
    addProcess({ pid: 50, comm: 'tunform-holder', ns: ourNs, fds: { '5': { target: '/dev/net/tun', fdinfo: attachedTo('mq0') }, '6': { target: '/dev/net/tun', fdinfo: attachedTo('tun1') } } });
    addProcess({ pid: 51, comm: 'reader', ns: ourNs, fds: { '5': { target: '/dev/net/tun', fdinfo: attachedTo('mq0') } } });

    const scan = await scanTunProcesses({ netnsPath: ourNs, procRoot: proc });

    expect(scan.byDevice.get('mq0')).toEqual({ attachedPids: [50, 51], holderPids: [50], processNames: { 50: 'tunform-holder', 51: 'reader' } });
    expect(scan.byDevice.get('tun1')).toEqual({ attachedPids: [50], holderPids: [50], processNames: { 50: 'tunform-holder' } });
  });

  it('GIVEN unattached tun fds and other files WHEN scanned THEN they attach the process to nothing', async () => {
    addProcess({
      pid: 60,
      comm: 'idle',
      ns: ourNs,
      fds: {
        '3': { target: '/dev/net/tun', fdinfo: fixture('fdinfo-unattached.txt') },
        '4': { target: '/etc/hostname', fdinfo: fixture('fdinfo-regular.txt') },
      },
    });

    const scan = await scanTunProcesses({ netnsPath: ourNs, procRoot: proc });

    expect(scan.byDevice.size).toBe(0);
    expect(scan.complete).toBe(true);
  });

  it('GIVEN an fd that vanished before its fdinfo was read WHEN scanned THEN it is a normal race, the scan stays complete', async () => {
    addProcess({ pid: 70, comm: 'racy', ns: ourNs, fds: { '3': { target: '/dev/net/tun' } } });

    const scan = await scanTunProcesses({ netnsPath: ourNs, procRoot: proc });

    expect(scan.byDevice.size).toBe(0);
    expect(scan.complete).toBe(true);
  });

  it('GIVEN a process whose namespace link dangles (process gone) WHEN scanned THEN it is skipped and the scan stays complete', async () => {
    addProcess({ pid: 80, comm: 'gone', ns: join(root, 'missing'), fds: {} });

    const scan = await scanTunProcesses({ netnsPath: ourNs, procRoot: proc });

    expect(scan.complete).toBe(true);
  });

  it('GIVEN an fd directory that cannot be listed WHEN scanned THEN the scan is marked incomplete', async () => {
    addProcess({ pid: 90, comm: 'odd', ns: ourNs, fds: {} });
    rmSync(join(proc, '90', 'fd'), { recursive: true });
    // A file where a directory should be gives ENOTDIR: neither a vanished process nor readable.
    writeFileSync(join(proc, '90', 'fd'), '');

    const scan = await scanTunProcesses({ netnsPath: ourNs, procRoot: proc });

    expect(scan.complete).toBe(false);
  });
});

describe('scanTunProcesses without its namespace', () => {
  it('GIVEN a namespace file that is gone WHEN scanned THEN a backend error names it', async () => {
    await expect(scanTunProcesses({ netnsPath: join(root, 'gone'), procRoot: proc })).rejects.toMatchObject({
      kind: 'backend',
      message: expect.stringContaining('cannot read network namespace'),
    });
  });
});
