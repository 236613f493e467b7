/**
 * The holder as a systemd service (`tunform-helper holder-service`): it keeps
 * a copy of every held fd in the fd store (FDSTORE=1), so when it crashes the
 * store keeps each device's queue, and the restarted holder takes the very
 * same fds back (LISTEN_FDS). PID 1 is not systemd on the test machines, so
 * test/fixtures-py/fake-systemd.py plays its part of the protocol
 * (sd_notify(3), sd_listen_fds(3)); the helper, the kernel and the carrier are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot, requireBuiltCli } from '../support/cli.js';
import { createNetns, destroyNetns, ipn } from '../support/netns.js';
import { holderProcesses, infoData, link } from '../support/traffic.js';
import { pollCarrier } from '../support/carrier.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { holderRequest } from '../../src/sys/holder-session.js';

const DEV = 'fs0';
let ns = '';
let work = '';
let systemd: ChildProcess | undefined;

/** Drives fake-systemd.py: one command line in, one answer line out. */
function fakeSystemd(command: readonly string[]): (line: string) => Promise<string> {
  systemd = spawn('python3', [join(repoRoot, 'test', 'fixtures-py', 'fake-systemd.py'), join(work, 'notify'), '--', ...command], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = createInterface({ input: systemd.stdout! })[Symbol.asyncIterator]();
  return async (line) => {
    systemd!.stdin!.write(`${line}\n`);
    const next = await answers.next();
    if (next.done) throw new Error(`fake-systemd ended before answering '${line}'`);
    return next.value as string;
  };
}

describe.skipIf(skipUnlessRoot())('acceptance: the holder under systemd keeps its fds in the fd store', () => {
  beforeAll(() => {
    requireBuiltCli();
    work = mkdtempSync(join(tmpdir(), 'tunform-fdstore-'));
    ns = createNetns('fds');
  });
  afterAll(() => {
    systemd?.kill('SIGKILL');
    destroyNetns(ns);
    rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN a held device WHEN the holder service is killed and restarted THEN carrier never drops and the new holder holds the same queue', async () => {
    ipn(ns, 'tuntap', 'add', 'dev', DEV, 'mode', 'tun', 'multi_queue');
    ipn(ns, 'link', 'set', DEV, 'up');
    const ask = fakeSystemd([join(repoRoot, 'helper', 'build', 'tunform-helper'), '--netns', ns, 'holder-service']);
    const first = Number((await ask('start')).split(' ')[1]);
    expect(await ask('ready')).toBe('ready');
    expect(holderProcesses(ns)).toEqual([first]);

    expect(await holderRequest(ns, [`hold ${DEV} tun mq`])).toEqual([`ok hold ${DEV}`]);
    expect(await ask('stored')).toBe(`stored ${DEV}`);
    expect(infoData(ns, DEV)).toMatchObject({ numqueues: 0, numdisabled: 1 });

    const poller = await pollCarrier(ns, [DEV], join(work, 'stop'));
    let samples;
    try {
      expect(await ask('kill')).toBe('killed 9');
      // The holder is gone; the store's copy of its fd is the queue now.
      expect(holderProcesses(ns)).toEqual([]);
      expect(link(ns, DEV).flags).toContain('LOWER_UP');
      const second = Number((await ask('start')).split(' ')[1]);
      expect(await ask('ready')).toBe('ready');
      expect(second).not.toBe(first);
      expect(await holderRequest(ns, ['list'])).toEqual([`ok list ${DEV}`]);
    } finally {
      samples = await poller.stop();
    }
    expect(samples.samples).toBeGreaterThan(10);
    expect(samples.down).toBe(0);
    // The very same queue, not a second attach: still one queue, still detached.
    expect(infoData(ns, DEV)).toMatchObject({ numqueues: 0, numdisabled: 1 });

    expect(await holderRequest(ns, [`release ${DEV}`])).toEqual([`ok release ${DEV}`]);
    expect(await ask('sync')).toBe('synced');
    expect(await ask('stored')).toBe('stored');
  });
});
