/**
 * tunform-helper and its TypeScript clients against the real kernel, each
 * test in a throwaway namespace. The key test reproduces systemd PR 30504:
 * a KeepCarrier holder must detach its queue on multi-queue devices, or it
 * eats the flows the kernel steers to it. A negative control in the same file
 * shows the scenario does detect a holder that keeps its queue attached.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOp, parseResultLine, runHelperExec, type HelperOp } from '../../src/apply/helper-client.js';
import { ensureHolder, holdLine, releaseLine } from '../../src/apply/holder-start.js';
import { holderList, holderRequest } from '../../src/sys/holder-session.js';
import { acquireLock, LockSession } from '../../src/apply/lock.js';
import { helperPath, packageRoot, runDir } from '../../src/sys/paths.js';
import { createNetns, destroyNetns, ipn, isRoot } from '../support/netns.js';
import { alive, eventually, link, links, Reader, sendDatagrams } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

const MQ_TUN = { mode: 'tun', multiQueue: true, packetInfo: false, vnetHeader: false } as const;
const DATAGRAMS = 200;

let workDir = '';
let readerBin = '';

/** Fresh namespace for one test; removed with its holder's run directory even on failure. */
async function inNetns<T>(tag: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = createNetns(tag);
  try {
    return await fn(ns);
  } finally {
    destroyNetns(ns);
    rmSync(runDir(ns), { recursive: true, force: true });
  }
}


/** How iproute2 prints an owner: the name when it resolves, else the number. */
function idName(file: string, id: number): string | number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(id));
  return line ? line.split(':')[0]! : id;
}

/** A process's argv joined by spaces ('' once it is gone). */
const cmdline = (pid: string): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

const info = (ns: string, name: string) => link(ns, name).linkinfo?.info_data ?? {};





/** A multi-queue tun at 172.31.0.1/24, made by the helper. */
async function makeMqTun(ns: string, name: string): Promise<void> {
  const [res] = await runHelperExec([{ op: 'create', name, ...MQ_TUN }], { netns: ns });
  expect(res?.ok).toBe(true);
  ipn(ns, 'addr', 'add', '172.31.0.1/24', 'dev', name);
}

describe('helper op lines', () => {
  it('spells ops the way the helper reads them', () => {
    // GIVEN typed ops  WHEN formatted  THEN they follow the line protocol of docs/DESIGN.md
    expect(formatOp({ op: 'create', name: 'q0', ...MQ_TUN, user: 1000, alias: 'tunform@g1' })).toBe('create q0 tun mq user=1000 alias=tunform@g1');
    expect(formatOp({ op: 'set', name: 'p0', mode: 'tap', multiQueue: false, packetInfo: true, vnetHeader: true, group: 5 })).toBe('set p0 tap pi,vnet group=5');
    expect(formatOp({ op: 'delete', name: 'd0', mode: 'tun', multiQueue: false, packetInfo: false, vnetHeader: false })).toBe('delete d0 tun -');
  });

  it('parses result lines and rejects anything else', () => {
    // GIVEN helper output  WHEN parsed  THEN ok/error lines are recognised and garbage is not
    expect(parseResultLine('ok create q0')).toEqual({ ok: true, op: 'create', name: 'q0' });
    expect(parseResultLine("error create q0: failed to create 'q0': Device or resource busy")).toEqual({
      ok: false,
      op: 'create',
      name: 'q0',
      message: "failed to create 'q0': Device or resource busy",
    });
    expect(parseResultLine('Segmentation fault')).toBeUndefined();
  });
});

describe.skipIf(skipUnlessRoot())('tunform-helper', () => {
  beforeAll(() => {
    execFileSync('make', ['-s', '-C', join(packageRoot(), 'helper')], { stdio: 'inherit' });
    workDir = mkdtempSync(join(tmpdir(), 'tunform-helper-test-'));
    readerBin = join(workDir, 'tun-reader');
    execFileSync('gcc', ['-O2', '-Wall', '-o', readerBin, join(packageRoot(), 'test', 'fixtures-c', 'tun-reader.c')]);
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('rejects a bad command line with status 2', () => {
    // GIVEN the helper  WHEN run without a command  THEN it prints usage and exits 2
    const r = spawnSync(helperPath(), [], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: tunform-helper/);
  });

  it('finds the helper binary from the package root', () => {
    // GIVEN the build in beforeAll  WHEN resolving the helper  THEN it exists under helper/build
    expect(helperPath()).toBe(join(packageRoot(), 'helper', 'build', 'tunform-helper'));
    expect(existsSync(helperPath())).toBe(true);
  });

  describe('exec', () => {
    it('creates persistent devices with the declared flags and the marker alias', async () => {
      await inNetns('hx', async (ns) => {
        // GIVEN an empty namespace
        const ops: HelperOp[] = [
          { op: 'create', name: 'tmq0', ...MQ_TUN, alias: 'tunform@g7' },
          { op: 'create', name: 'tap0', mode: 'tap', multiQueue: false, packetInfo: true, vnetHeader: true, user: 1000, group: 100 },
        ];
        // WHEN the helper creates them
        const results = await runHelperExec(ops, { netns: ns });
        // THEN each op succeeded and the kernel shows the flags, persist and the marker
        expect(results.map((r) => r.line)).toEqual(['ok create tmq0', 'ok create tap0']);
        expect(link(ns, 'tmq0').ifalias).toBe('tunform@g7');
        expect(info(ns, 'tmq0')).toMatchObject({ type: 'tun', pi: false, vnet_hdr: false, multi_queue: true, persist: true });
        expect(link(ns, 'tap0').ifalias).toBe('tunform');
        expect(info(ns, 'tap0')).toMatchObject({ type: 'tap', pi: true, vnet_hdr: true, multi_queue: false, persist: true });
        expect(info(ns, 'tap0')).toMatchObject({ user: idName('/etc/passwd', 1000), group: idName('/etc/group', 100) });
      });
    });

    it('rejects a 16-byte name with a clear message and creates nothing', async () => {
      await inNetns('hn', async (ns) => {
        // GIVEN a name of IFNAMSIZ (16) bytes
        const name = 'abcdefghijklmnop';
        // WHEN asked to create it
        const [res] = await runHelperExec([{ op: 'create', name, ...MQ_TUN }], { netns: ns });
        // THEN the op fails saying why, and no device exists besides lo (none truncated either)
        expect(res?.ok).toBe(false);
        expect(res?.message).toMatch(/invalid device name 'abcdefghijklmnop': longer than 15 bytes/);
        expect(links(ns).map((l) => l.ifname)).toEqual(['lo']);
      });
    });

    it('refuses to create over an existing device and leaves it untouched', async () => {
      await inNetns('hb', async (ns) => {
        // GIVEN a device made by someone else (no marker)
        ipn(ns, 'tuntap', 'add', 'dev', 'busy0', 'mode', 'tun', 'multi_queue');
        const before = info(ns, 'busy0');
        // WHEN the helper is asked to create that name as a tap
        const [res] = await runHelperExec([{ op: 'create', name: 'busy0', mode: 'tap', multiQueue: false, packetInfo: false, vnetHeader: false }], {
          netns: ns,
        });
        // THEN it fails with the kernel's reason and the device keeps its type and has no alias
        expect(res?.ok).toBe(false);
        expect(res?.message).toBe("failed to create 'busy0': Device or resource busy");
        expect(info(ns, 'busy0')).toEqual(before);
        expect(link(ns, 'busy0').ifalias).toBeUndefined();
      });
    });

    it('changes owner and group of an existing device, and cannot clear them', async () => {
      await inNetns('ho', async (ns) => {
        // GIVEN a tap made with an owner
        const tap = { mode: 'tap', multiQueue: false, packetInfo: false, vnetHeader: false } as const;
        await runHelperExec([{ op: 'create', name: 'own0', ...tap, user: 1000 }], { netns: ns });
        // WHEN the helper sets a new owner and group
        const [res] = await runHelperExec([{ op: 'set', name: 'own0', ...tap, user: 0, group: 0 }], { netns: ns });
        // THEN the kernel shows them
        expect(res?.ok).toBe(true);
        expect(info(ns, 'own0')).toMatchObject({ user: idName('/etc/passwd', 0), group: idName('/etc/group', 0) });
        // AND clearing (-1), which the kernel refuses, is reported as such
        const clear = spawnSync(helperPath(), ['--netns', ns, 'exec'], { input: 'set own0 tap - user=-1\n', encoding: 'utf8' });
        expect(clear.status).toBe(1);
        expect(clear.stdout).toMatch(/^error set own0: failed to clear owner of 'own0': the kernel cannot clear it/);
      });
    });

    it('never leaves an unmarked or half-made persistent device when killed mid-batch', async () => {
      await inNetns('hk9', async (ns) => {
        // GIVEN a batch of 400 creates running
        const child = spawn(helperPath(), ['--netns', ns, 'exec'], { stdio: ['pipe', 'pipe', 'ignore'] });
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        const closed = new Promise((r) => child.once('close', r));
        child.stdin.on('error', () => {});
        child.stdin.end(Array.from({ length: 400 }, (_, i) => `create k${i} tun mq alias=tunform@k`).join('\n') + '\n');
        // WHEN it is SIGKILLed after its first result
        await eventually(() => (out.includes('\n') ? true : undefined), 'a first result');
        child.kill('SIGKILL');
        await closed;
        // THEN every device left is persistent and marked
        const left = links(ns).filter((l) => l.ifname !== 'lo');
        expect(left.length).toBeGreaterThan(0);
        for (const l of left) {
          expect(l.ifalias).toBe('tunform@k');
          expect(l.linkinfo?.info_data?.persist).toBe(true);
        }
      });
    });

    it('deletes a device and reports a missing one', async () => {
      await inNetns('hd', async (ns) => {
        // GIVEN one device made by the helper
        await runHelperExec([{ op: 'create', name: 'del0', ...MQ_TUN }], { netns: ns });
        // WHEN deleting it and a name that does not exist
        const results = await runHelperExec(
          [
            { op: 'delete', name: 'del0', ...MQ_TUN },
            { op: 'delete', name: 'nope0', ...MQ_TUN },
          ],
          { netns: ns },
        );
        // THEN the first is gone and the second is an error naming the device
        expect(results[0]?.ok).toBe(true);
        expect(results[1]).toMatchObject({ ok: false, message: "failed to delete 'nope0': No such device" });
        expect(links(ns).map((l) => l.ifname)).toEqual(['lo']);
      });
    });
  });

  describe('holder', () => {
    it('holds a multi-queue device with its queue detached, keeping carrier', async () => {
      await inNetns('hh', async (ns) => {
        // GIVEN a multi-queue tun made by the helper
        await makeMqTun(ns, 'hold0');
        // WHEN the holder holds it and the link goes up
        const { pid } = await ensureHolder(ns);
        expect(await holderRequest(ns, [holdLine('hold0', MQ_TUN)])).toEqual(['ok hold hold0']);
        ipn(ns, 'link', 'set', 'hold0', 'up');
        // THEN no active queue, one disabled, carrier on, and the holder is named tunform-holder
        expect(info(ns, 'hold0')).toMatchObject({ numqueues: 0, numdisabled: 1 });
        expect(link(ns, 'hold0').flags).toContain('LOWER_UP');
        expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('tunform-holder');
      });
    });

    it('treats a second hold as a no-op: same holder, still one disabled queue', async () => {
      await inNetns('h2', async (ns) => {
        // GIVEN a held multi-queue device
        await makeMqTun(ns, 'hold1');
        const first = await ensureHolder(ns);
        await holderRequest(ns, [holdLine('hold1', MQ_TUN)]);
        // WHEN ensuring the holder and holding again
        const second = await ensureHolder(ns);
        const res = await holderRequest(ns, [holdLine('hold1', MQ_TUN), holdLine('hold1', MQ_TUN)]);
        // THEN the same holder answers, and it did not attach another queue
        expect(second.pid).toBe(first.pid);
        expect(res).toEqual(['ok hold hold1', 'ok hold hold1']);
        expect(info(ns, 'hold1')).toMatchObject({ numqueues: 0, numdisabled: 1 });
        expect(await holderList(ns)).toEqual(['hold1']);
      });
    });

    it('re-attaches when the held device was deleted and recreated', async () => {
      await inNetns('hr', async (ns) => {
        // GIVEN a held device that someone deletes and the helper recreates
        await makeMqTun(ns, 'again0');
        await ensureHolder(ns);
        await holderRequest(ns, [holdLine('again0', MQ_TUN)]);
        ipn(ns, 'link', 'del', 'again0');
        await runHelperExec([{ op: 'create', name: 'again0', ...MQ_TUN }], { netns: ns });
        // WHEN holding it again
        const res = await holderRequest(ns, [holdLine('again0', MQ_TUN)]);
        // THEN the holder drops its dead fd and holds the new device
        expect(res).toEqual(['ok hold again0']);
        expect(info(ns, 'again0')).toMatchObject({ numqueues: 0, numdisabled: 1 });
      });
    });

    it('refuses to hold a missing device without creating one', async () => {
      await inNetns('hm', async (ns) => {
        // GIVEN a running holder and no device
        await ensureHolder(ns);
        // WHEN asked to hold a missing name
        const [res] = await holderRequest(ns, [holdLine('ghost0', MQ_TUN)]);
        // THEN it fails and no device appears
        expect(res).toBe("error hold ghost0: failed to attach 'ghost0': No such device");
        expect(links(ns).map((l) => l.ifname)).toEqual(['lo']);
      });
    });

    it('concurrent starts agree on one holder', async () => {
      await inNetns('hs', async (ns) => {
        // GIVEN no holder in the namespace
        // WHEN four starts race
        const pids = (await Promise.all([1, 2, 3, 4].map(() => ensureHolder(ns)))).map((h) => h.pid);
        // THEN all of them report the same, live holder
        expect(new Set(pids).size).toBe(1);
        expect(alive(pids[0]!)).toBe(true);
      });
    });

    it('holds 1000 devices pipelined on one connection and stays small', async () => {
      await inNetns('hl', async (ns) => {
        // GIVEN 1000 multi-queue devices made in one helper batch
        const names = Array.from({ length: 1000 }, (_, i) => `m${i}`);
        const made = await runHelperExec(
          names.map((name) => ({ op: 'create' as const, name, ...MQ_TUN })),
          { netns: ns },
        );
        expect(made.every((r) => r.ok)).toBe(true);
        // WHEN the holder holds all of them in one pipelined request
        const { pid } = await ensureHolder(ns);
        const res = await holderRequest(ns, names.map((n) => holdLine(n, MQ_TUN)));
        // THEN every hold succeeded, every device has its queue detached, and the holder's PSS is far below 16 MiB
        expect(res.filter((l) => l.startsWith('ok hold')).length).toBe(1000);
        expect((await holderList(ns)).length).toBe(1000);
        const detached = links(ns).filter((l) => l.linkinfo?.info_data?.numdisabled === 1).length;
        expect(detached).toBe(1000);
        const pssKiB = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]);
        expect(pssKiB).toBeLessThan(16 * 1024);
      });
    });

    it('exits once a release leaves it holding nothing', async () => {
      await inNetns('hx', async (ns) => {
        // GIVEN a holder holding one device
        await makeMqTun(ns, 'rel0');
        const { pid } = await ensureHolder(ns);
        await holderRequest(ns, [holdLine('rel0', MQ_TUN)]);
        // WHEN it is released
        expect(await holderRequest(ns, [releaseLine('rel0')])).toEqual(['ok release rel0']);
        // THEN the holder process goes away and the device stays (persistent) without carrier
        await eventually(() => (alive(pid) ? undefined : true), 'the holder to exit');
        expect(info(ns, 'rel0')).toMatchObject({ numqueues: 0, numdisabled: 0, persist: true });
      });
    });
  });

  describe('carrier holder versus readers (systemd PR 30504)', () => {
    it(`delivers all ${DATAGRAMS} flows to the reader when the holder detached its queue`, async () => {
      await inNetns('hk', async (ns) => {
        // GIVEN a multi-queue tun held by the holder, link up, and one reader
        await makeMqTun(ns, 'kc0');
        await ensureHolder(ns);
        await holderRequest(ns, [holdLine('kc0', MQ_TUN)]);
        ipn(ns, 'link', 'set', 'kc0', 'up');
        const reader = await Reader.start(readerBin, ns, 'kc0');
        try {
          expect(info(ns, 'kc0')).toMatchObject({ numqueues: 1, numdisabled: 1 });
          // WHEN 200 datagrams, each from its own source port, go to 172.31.0.2
          sendDatagrams(ns, DATAGRAMS);
          // THEN the reader gets every one of them
          expect(await reader.settle(DATAGRAMS)).toBe(DATAGRAMS);
        } finally {
          await reader.kill();
        }
      });
    });

    it('negative control: a holder-like fd that keeps its queue attached steals flows', async () => {
      await inNetns('hc', async (ns) => {
        // GIVEN the same device, but kept up by an idle fd whose queue stays attached (the old bug)
        await makeMqTun(ns, 'kc1');
        const idle = await Reader.start(readerBin, ns, 'kc1', ['--idle']);
        ipn(ns, 'link', 'set', 'kc1', 'up');
        const reader = await Reader.start(readerBin, ns, 'kc1');
        try {
          expect(info(ns, 'kc1')).toMatchObject({ numqueues: 2, numdisabled: 0 });
          // WHEN the same 200 datagrams are sent
          sendDatagrams(ns, DATAGRAMS);
          // THEN the reader misses the flows steered to the idle queue
          expect(await reader.settle(DATAGRAMS)).toBeLessThan(DATAGRAMS);
        } finally {
          await reader.kill();
          await idle.kill();
        }
      });
    });
  });

  describe('lock', () => {
    const lockPath = () => join(workDir, `apply-${Math.random().toString(36).slice(2)}.lock`);

    it('serialises two lockers', async () => {
      // GIVEN one locker holding the lock
      const path = lockPath();
      const first = await acquireLock(undefined, { path });
      const order: string[] = [];
      // WHEN a second one asks for it
      const second = acquireLock(undefined, { path }).then((l) => {
        order.push('second locked');
        return l;
      });
      await new Promise((r) => setTimeout(r, 300));
      order.push('first releases');
      await first.release();
      // THEN the second gets it only after the first released
      const l2 = await second;
      expect(order).toEqual(['first releases', 'second locked']);
      await l2.release();
    });

    it('GIVEN a session WHEN it releases and takes again over its stdin THEN another locker runs in between, and one helper process served every turn', async () => {
      const path = lockPath();
      const session = new LockSession(undefined, path);
      const lockers = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p) && cmdline(p).includes(path));
      try {
        // GIVEN the session holding the lock, and another locker waiting
        const first = await session.acquire();
        const order: string[] = [];
        const other = acquireLock(undefined, { path }).then((l) => (order.push('other locked'), l));
        await new Promise((r) => setTimeout(r, 300));
        // WHEN the session releases
        order.push('session releases');
        await first.release();
        // THEN the other locker gets the lock, and the session's next turn waits for it
        const otherLock = await other;
        const again = session.acquire().then((l) => (order.push('session locked again'), l));
        await new Promise((r) => setTimeout(r, 300));
        order.push('other releases');
        await otherLock.release();
        const second = await again;
        expect(order).toEqual(['session releases', 'other locked', 'other releases', 'session locked again']);
        await second.release();
        await (await session.acquire()).release();
        expect(lockers()).toHaveLength(1);
      } finally {
        await session.close();
      }
      expect(lockers()).toEqual([]);
    });

    it('GIVEN a lock helper WHEN it reads a line other than lock or unlock THEN it names the line and exits 1, releasing the lock', () => {
      const path = lockPath();
      const r = spawnSync(helperPath(), ['lock', path], { encoding: 'utf8', input: 'unlock\nlock\nrelease\n' });
      expect(r.stdout).toBe('locked\nunlocked\nlocked\n');
      expect(r.stderr).toBe("tunform-helper: unknown lock command 'release': expected 'lock' or 'unlock'\n");
      expect(r.status).toBe(1);
      expect(spawnSync(helperPath(), ['lock', path], { encoding: 'utf8', input: '' }).stdout).toBe('locked\n');
    });

    it('GIVEN a lock held by another process WHEN a second one asks THEN only that one is told it waits, whatever the machine\'s load', async () => {
      const path = lockPath();
      // GIVEN nobody holds it: the answer is `locked` alone, and onWait is not called
      let toldFree = 0;
      const free = await acquireLock(undefined, { path, onWait: () => toldFree++ });
      expect(toldFree).toBe(0);
      // WHEN another process asks while it is held
      const other = spawn(helperPath(), ['lock', path], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      other.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await eventually(() => (out.includes('waiting') ? true : undefined), 'the other to say it waits');
      // THEN it says `waiting` before blocking, and `locked` once the lock is free
      expect(out).toBe('waiting\n');
      await free.release();
      await eventually(() => (out === 'waiting\nlocked\n' ? true : undefined), 'the other to lock');
      // AND an acquireLock behind it calls onWait exactly once
      let told = 0;
      const behind = acquireLock(undefined, { path, onWait: () => told++ });
      await eventually(() => (told === 1 ? true : undefined), 'onWait');
      other.stdin.end();
      await (await behind).release();
      expect(told).toBe(1);
    });

    it('is released when its holder is SIGKILLed', async () => {
      // GIVEN a lock process holding the lock
      const path = lockPath();
      const victim = spawn(helperPath(), ['lock', path], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      victim.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await eventually(() => (out.includes('locked') ? true : undefined), 'the first lock');
      let granted = false;
      const waiter = acquireLock(undefined, { path }).then((l) => {
        granted = true;
        return l;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(granted).toBe(false);
      // WHEN that process is SIGKILLed
      victim.kill('SIGKILL');
      // THEN the waiting locker gets the lock
      const l = await waiter;
      expect(granted).toBe(true);
      await l.release();
    });
  });
});
