/**
 * Robustness of apply through the real CLI: a run SIGKILLed mid-way, two runs
 * at once, refusals (attached readers, unmanaged devices), pruning and
 * running without privileges. Each test has its own throwaway namespace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { applyLockPath, helperPath } from '../../src/sys/paths.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_NOBODY, collect, requireBuiltCli, runTunform, SpecDir, spawnTunform, specYaml, type DeviceYaml } from '../support/cli.js';
import { ipn, isRoot } from '../support/netns.js';
import { buildReader, eventually, holderProcesses, infoData, inNetns, link, maybeLink, Reader, tunLinks } from '../support/traffic.js';
import { skipUnlessRoot } from '../support/require-root.js';

let dir: SpecDir;

/** Attaches to an existing multi-queue tun inside ns (no EXCL, as the helper does) and sets TUNSETPERSIST 1. */
function makePersistent(ns: string, name: string): void {
  const py = [
    'import fcntl, os, struct, sys',
    "fd = os.open('/dev/net/tun', os.O_RDWR)",
    "fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', sys.argv[1].encode(), 0x0001 | 0x1000 | 0x0100))",
    'fcntl.ioctl(fd, 0x400454cb, 1)',
  ].join('\n');
  execFileSync('ip', ['netns', 'exec', ns, 'python3', '-c', py, name], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Pids of `tunform-helper lock PATH` processes for this lock file. */
/** Helper processes locking this namespace: `lock PATH`, or `--netns NS lock` (the helper computes PATH). */
function lockWaiters(path: string, ns: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const forNamespace = argv.includes('--netns') && argv.includes(ns);
      if (argv.includes('lock') && (argv.includes(path) || forNamespace)) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}
let readerBuild: { bin: string; cleanup: () => void };

const held = (name: string): DeviceYaml => ({ name, mode: 'tun', multiQueue: true, keepCarrier: true });

function write(ns: string, devices: DeviceYaml[], tag = 'spec'): string {
  return dir.write(`${ns}-${tag}.yaml`, specYaml(devices, ns));
}

describe.skipIf(skipUnlessRoot())('acceptance: apply robustness', () => {
  beforeAll(() => {
    requireBuiltCli();
    readerBuild = buildReader();
    dir = new SpecDir('robust');
  });
  afterAll(() => {
    dir?.remove();
    readerBuild?.cleanup();
  });

  it('an apply SIGKILLed while creating 50 devices converges on the next apply', async () => {
    await inNetns('rkill', async (ns) => {
      // GIVEN a spec of 50 keepCarrier multi-queue devices, each with an address
      const names = Array.from({ length: 50 }, (_, i) => `kc${i}`);
      const file = write(
        ns,
        names.map((n, i) => ({ ...held(n), addresses: [`10.77.${i}.1/24`] })),
      );
      // WHEN apply is SIGKILLed as soon as the first devices appear
      const child = spawnTunform(['apply', '-f', file]);
      const done = collect(child);
      let seen = 0;
      await eventually(
        () => {
          if (child.exitCode !== null) return true;
          seen = tunLinks(ns).length;
          return seen > 0 ? true : undefined;
        },
        'the first devices',
        30_000,
        5,
      );
      child.kill('SIGKILL');
      const killed = await done;
      console.info(`apply killed with ${seen} of 50 devices present (exit ${killed.code})`);
      // AND apply runs again
      const again = await runTunform(['apply', '-f', file]);
      // THEN it converges: drift 0, every device exists exactly once, marked and held, and one holder serves them
      expect(again.code, again.stderr).toBe(0);
      const drift = await runTunform(['drift', '-f', file]);
      expect(drift.code, drift.stdout).toBe(0);
      const live = tunLinks(ns);
      expect(live.map((l) => l.ifname).sort()).toEqual([...names].sort());
      for (const l of live) {
        expect(l.ifalias).toMatch(/^tunform/);
        expect(l.linkinfo?.info_data).toMatchObject({ multi_queue: true, persist: true, numdisabled: 1 });
      }
      await eventually(() => (holderProcesses(ns).length === 1 ? true : undefined), 'one holder', 5_000).catch(() => undefined);
      expect(holderProcesses(ns)).toHaveLength(1);
    });
  });

  it('two concurrent applies of the same spec both succeed, in sync, one holder', async () => {
    await inNetns('rconc', async (ns) => {
      // GIVEN a spec of a few held devices
      const file = write(
        ns,
        ['c0', 'c1', 'c2', 'c3'].map((n, i) => ({ ...held(n), addresses: [`10.78.${i}.1/24`] })),
      );
      // WHEN two applies start at once
      const [a, b] = await Promise.all([collect(spawnTunform(['apply', '-f', file])), collect(spawnTunform(['apply', '-f', file]))]);
      // THEN both exit 0, drift is 0 and a single holder holds the devices
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect((await runTunform(['drift', '-f', file])).code).toBe(0);
      expect(tunLinks(ns)).toHaveLength(4);
      expect(holderProcesses(ns)).toHaveLength(1);
    });
  });

  it('an apply waiting for a run mid-creation does not take its half-made device for a conflict', async () => {
    await inNetns('rwait', async (ns) => {
      // GIVEN another run holding the namespace's apply lock, caught between TUNSETIFF and the alias:
      //   c0 exists, not yet marked and not yet persistent, with that run's fd attached
      const lockPath = applyLockPath(ns);
      const other = spawn(helperPath(), ['lock', lockPath], { stdio: ['pipe', 'pipe', 'inherit'] });
      let otherOut = '';
      other.stdout!.setEncoding('utf8').on('data', (d: string) => (otherOut += d));
      try {
        await eventually(() => (otherOut.includes('locked') ? true : undefined), 'the other run to lock');
        const halfMade = await Reader.start(readerBuild.bin, ns, 'c0', ['--idle']);
        expect(link(ns, 'c0').ifalias).toBeUndefined();
        // WHEN apply of the same spec starts
        const file = write(ns, [held('c0')]);
        const child = spawnTunform(['apply', '-f', file]);
        const done = collect(child);
        // ... and it either gives up or queues behind the lock
        await eventually(
          () => (child.exitCode !== null || lockWaiters(lockPath, ns).some((p) => p !== other.pid) ? true : undefined),
          'apply to exit or wait for the lock',
        );
        //   and then the other run finishes: marks c0, makes it persistent, lets go of it and unlocks
        ipn(ns, 'link', 'set', 'dev', 'c0', 'alias', 'tunform');
        makePersistent(ns, 'c0');
        await halfMade.kill();
        other.stdin!.end();
        // THEN the waiting apply judges c0 after the lock: it takes it over (exit 0) and the spec is in sync
        const r = await done;
        expect(r.code, r.stderr).toBe(0);
        expect((await runTunform(['drift', '-f', file])).code).toBe(0);
      } finally {
        other.kill('SIGKILL');
      }
    });
  });

  it('a kept device whose persist flag was cleared is drift, and apply makes it persistent again in place', async () => {
    await inNetns('rpers', async (ns) => {
      // GIVEN an applied kept device, then someone clears its persist flag (ip tuntap del while the holder holds it)
      const file = write(ns, [held('pr0')]);
      expect((await runTunform(['apply', '-f', file])).code).toBe(0);
      const ifindex = link(ns, 'pr0').ifindex;
      ipn(ns, 'tuntap', 'del', 'dev', 'pr0', 'mode', 'tun', 'multi_queue');
      expect(infoData(ns, 'pr0')).toMatchObject({ persist: false });
      // WHEN drift and apply run
      const drift = await runTunform(['drift', '-f', file]);
      const applied = await runTunform(['apply', '-f', file]);
      // THEN drift names it, apply repairs it in place, and the device now outlives its holder
      expect(drift.code).toBe(2);
      expect(drift.stdout).toContain('pr0: persist is off');
      expect(applied.code, applied.stderr).toBe(0);
      expect(link(ns, 'pr0').ifindex).toBe(ifindex);
      expect(infoData(ns, 'pr0')).toMatchObject({ persist: true, numdisabled: 1 });
      for (const pid of holderProcesses(ns)) process.kill(pid, 'SIGKILL');
      await eventually(() => (holderProcesses(ns).length === 0 ? true : undefined), 'the holder to die');
      expect(link(ns, 'pr0').ifindex).toBe(ifindex);
    });
  });

  it('a held single-queue device changes owner through the holder, which owns its only queue', async () => {
    await inNetns('rsq', async (ns) => {
      // GIVEN a kept single-queue tun (the holder owns its only queue: a warning, but allowed)
      const file = write(ns, [{ name: 'sq0', mode: 'tun', keepCarrier: true }]);
      const first = await runTunform(['apply', '-f', file]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain('warning:');
      const ifindex = link(ns, 'sq0').ifindex;
      // WHEN the spec gives it an owner and apply runs
      const owned = dir.write(`${ns}-owner.yaml`, specYaml([{ name: 'sq0', mode: 'tun', keepCarrier: true }], ns).replace('    keepCarrier: true', '    keepCarrier: true\n    user: 65534'));
      const r = await runTunform(['apply', '-f', owned]);
      // THEN it succeeds in place (a second attach would get EBUSY) and drift is 0
      expect(r.code, r.stderr).toBe(0);
      expect(link(ns, 'sq0').ifindex).toBe(ifindex);
      expect(infoData(ns, 'sq0')).toMatchObject({ user: 'nobody' });
      expect((await runTunform(['drift', '-f', owned])).code).toBe(0);
    });
  });

  it('replace is refused while a reader is attached, and allowed with --force', async () => {
    await inNetns('rrepl', async (ns) => {
      // GIVEN a held multi-queue tun with a reader attached
      const file = write(ns, [{ ...held('rp0'), addresses: ['172.31.0.1/24'] }]);
      expect((await runTunform(['apply', '-f', file])).code).toBe(0);
      const reader = await Reader.start(readerBuild.bin, ns, 'rp0');
      try {
        const ifindex = link(ns, 'rp0').ifindex;
        // WHEN the spec changes a creation-time field (packetInfo) and apply runs
        const changed = write(ns, [{ ...held('rp0'), packetInfo: true, addresses: ['172.31.0.1/24'] }], 'pi');
        const refused = await runTunform(['apply', '-f', changed]);
        // THEN it is refused (exit 1) naming the reader's pid, and the device is untouched
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(new RegExp(`\\b${reader.pid}\\b`));
        expect(link(ns, 'rp0').ifindex).toBe(ifindex);
        expect(infoData(ns, 'rp0')).toMatchObject({ pi: false });
        // AND with --force the device is replaced (new ifindex) and in sync
        const forced = await runTunform(['apply', '-f', changed, '--force']);
        expect(forced.code, forced.stderr).toBe(0);
        expect(link(ns, 'rp0').ifindex).not.toBe(ifindex);
        expect(infoData(ns, 'rp0')).toMatchObject({ pi: true, numdisabled: 1 });
        expect((await runTunform(['drift', '-f', changed])).code).toBe(0);
      } finally {
        await reader.kill();
      }
    });
  });

  it('prunes a dropped managed device, never touches an unmanaged one, refuses a declared unmanaged name', async () => {
    await inNetns('rprune', async (ns) => {
      // GIVEN a and b applied, and um0 made by hand (no marker)
      const ab = write(ns, [held('a'), held('b')], 'ab');
      expect((await runTunform(['apply', '-f', ab])).code).toBe(0);
      ipn(ns, 'tuntap', 'add', 'dev', 'um0', 'mode', 'tun');
      const um = link(ns, 'um0').ifindex;
      // WHEN the spec keeps only a
      const onlyA = write(ns, [held('a')], 'a');
      const pruned = await runTunform(['apply', '-f', onlyA]);
      // THEN b is deleted, a stays, um0 is untouched
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toMatch(/^- delete b/m);
      expect(maybeLink(ns, 'b')).toBeUndefined();
      expect(maybeLink(ns, 'a')).toBeDefined();
      expect(link(ns, 'um0')).toMatchObject({ ifindex: um });
      expect(link(ns, 'um0').ifalias).toBeUndefined();
      // AND a spec declaring um0 is refused as a conflict, changing nothing
      const conflict = write(ns, [held('a'), { name: 'um0', mode: 'tap' }], 'um');
      const refused = await runTunform(['apply', '-f', conflict]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/um0/);
      expect(refused.stderr).toMatch(/not created by tunform/);
      expect(link(ns, 'um0')).toMatchObject({ ifindex: um });
      expect(infoData(ns, 'um0')).toMatchObject({ type: 'tun' });
      expect(link(ns, 'um0').ifalias).toBeUndefined();
    });
  });

  describe('without root', () => {
    it('apply as nobody inside the namespace exits 3 and changes nothing', async () => {
      await inNetns('rperm', async (ns) => {
        // GIVEN an empty namespace and a spec for it without netns (the caller's own namespace)
        const file = dir.write(`${ns}-own.yaml`, specYaml([{ ...held('np0'), addresses: ['172.31.0.1/24'] }]));
        // WHEN apply runs as nobody inside the namespace
        const r = await runTunform(['apply', '-f', file], { wrap: ['ip', 'netns', 'exec', ns, ...AS_NOBODY] });
        // THEN it exits 3 (permission) and no device or holder appeared
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/CAP_NET_ADMIN/);
        expect(tunLinks(ns)).toEqual([]);
        expect(holderProcesses(ns)).toEqual([]);
      });
    });

    it('apply --netns as nobody exits 3 (permission) and changes nothing', async () => {
      await inNetns('rperm2', async (ns) => {
        // GIVEN a spec naming the namespace
        const file = write(ns, [{ ...held('np0'), addresses: ['172.31.0.1/24'] }]);
        // WHEN apply runs as nobody from the machine's namespace
        const r = await runTunform(['apply', '-f', file], { wrap: AS_NOBODY });
        // THEN it is a permission error (3), and nothing changed
        expect(tunLinks(ns)).toEqual([]);
        expect(r.code, r.stderr).toBe(3);
      });
    });
  });
});
