/**
 * The holder trusts the kernel, not its own table: each case is a fault
 * found by hand (issue 12, items 1-5), reproduced against the real kernel
 * through the real CLI, helper and holder, in a throwaway namespace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runTunform, SpecDir, specYaml, type DeviceYaml } from '../support/cli.js';
import { isRoot } from '../support/netns.js';
import { eventually, holderProcesses, inNetns, maybeLink, tunLinks } from '../support/traffic.js';

/** A safety net for what the holder notices: it looks once a second and leaves 5 s after holding nothing (holder_loop.c). */
const HOLDER_NOTICES_MS = 15_000;

let dir: SpecDir;
const kept = (name: string): DeviceYaml => ({ name, mode: 'tun', multiQueue: true, keepCarrier: true });
const write = (ns: string, devices: DeviceYaml[], tag: string): string => dir.write(`${ns}-${tag}.yaml`, specYaml(devices, ns));

/** A process that exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function applyKept(ns: string, names: string[], tag = 'spec'): Promise<string> {
  const file = write(ns, names.map(kept), tag);
  const r = await runTunform(['apply', '-f', file]);
  expect(r.code, r.stderr).toBe(0);
  return file;
}

describe('acceptance: the holder follows the kernel', () => {
  beforeAll(() => {
    // Under CI this must run, never skip: everything here needs the real kernel as root.
    if (!isRoot()) throw new Error('these tests need root (tun devices, namespaces, the holder)');
    requireBuiltCli();
    dir = new SpecDir('holder-life');
  });
  afterAll(() => dir?.remove());

  it('GIVEN a held device WHEN it is deleted with ip link del and destroy runs THEN the holder drops the dead fd and exits', async () => {
    await inNetns('hdel', async (ns) => {
      const file = await applyKept(ns, ['hd0']);
      const [holder] = holderProcesses(ns);
      expect(holder).toBeDefined();
      execFileSync('ip', ['-n', ns, 'link', 'del', 'hd0']);
      const destroyed = await runTunform(['destroy', '-f', file]);
      expect(destroyed.code, destroyed.stderr).toBe(0);
      await eventually(() => (running(holder!) ? undefined : true), 'the holder to exit', HOLDER_NOTICES_MS).catch(() => undefined);
      expect(running(holder!)).toBe(false);
    });
  });

  it('GIVEN a holder of two devices WHEN one is deleted by hand THEN it no longer holds that fd, and keeps the other', async () => {
    await inNetns('hdead', async (ns) => {
      await applyKept(ns, ['hk0', 'hk1']);
      const [holder] = holderProcesses(ns);
      expect(countTunFds(holder!)).toBe(2);
      execFileSync('ip', ['-n', ns, 'link', 'del', 'hk0']);
      await eventually(() => (countTunFds(holder!) === 1 ? true : undefined), 'the dead fd to be dropped', HOLDER_NOTICES_MS).catch(() => undefined);
      expect(countTunFds(holder!)).toBe(1);
      expect(running(holder!)).toBe(true);
      expect(maybeLink(ns, 'hk1')?.flags).toContain('LOWER_UP');
    });
  });

  it('GIVEN a held device WHEN its namespace is deleted THEN the holder exits, and a namespace of the same name gets its own holder', async () => {
    await inNetns('hns', async (ns) => {
      await applyKept(ns, ['hn0']);
      const [holder] = holderProcesses(ns);
      execFileSync('ip', ['netns', 'del', ns]);
      await eventually(() => (running(holder!) ? undefined : true), 'the holder to exit', HOLDER_NOTICES_MS).catch(() => undefined);
      expect(running(holder!)).toBe(false);
      // WHEN the name comes back, THEN apply works in the new namespace (exit 0, held there)
      execFileSync('ip', ['netns', 'add', ns]);
      const again = await applyKept(ns, ['hn0'], 'again');
      expect((await runTunform(['drift', '-f', again])).code).toBe(0);
      expect(holderProcesses(ns)).toHaveLength(1);
      expect(holderProcesses(ns)[0]).not.toBe(holder);
    });
  });

  it('GIVEN a held device WHEN the run directory is deleted THEN the next apply reaches the same holder, and destroy leaves none', async () => {
    await inNetns('hdir', async (ns) => {
      await applyKept(ns, ['hr0']);
      const [holder] = holderProcesses(ns);
      rmSync(`/run/tunform/netns/${ns}`, { recursive: true, force: true });
      const both = await applyKept(ns, ['hr0', 'hr1'], 'both');
      expect(holderProcesses(ns)).toEqual([holder]);
      expect(countTunFds(holder!)).toBe(2);
      const destroyed = await runTunform(['destroy', '-f', both]);
      expect(destroyed.code, destroyed.stderr).toBe(0);
      expect(tunLinks(ns)).toHaveLength(0);
      await eventually(() => (running(holder!) ? undefined : true), 'the holder to exit', HOLDER_NOTICES_MS).catch(() => undefined);
      expect(running(holder!)).toBe(false);
    });
  });

  it("GIVEN apply run with fd 200 open on a pipe WHEN it exits THEN the pipe sees EOF: the holder kept none of the caller's fds", async () => {
    await inNetns('hfd', async (ns) => {
      const file = write(ns, [kept('hf0')], 'spec');
      const stdio: ('ignore' | 'pipe')[] = Array.from({ length: 201 }, () => 'ignore');
      stdio[2] = 'pipe';
      stdio[200] = 'pipe';
      const child = spawn(process.execPath, ['bin/tunform.js', 'apply', '-f', file], { stdio });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const extra = child.stdio[200] as NodeJS.ReadableStream;
      let eof = false;
      extra.on('end', () => (eof = true)).on('close', () => (eof = true));
      extra.resume();
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code, stderr).toBe(0);
      expect(holderProcesses(ns)).toHaveLength(1);
      await eventually(() => (eof ? true : undefined), 'EOF on fd 200', 5_000).catch(() => undefined);
      expect(eof).toBe(true);
    });
  });

  it('GIVEN a stopped holder WHEN apply needs it THEN it fails saying the holder is stopped, before creating anything', async () => {
    await inNetns('hstop', async (ns) => {
      await applyKept(ns, ['hs0']);
      const [holder] = holderProcesses(ns);
      process.kill(holder!, 'SIGSTOP');
      try {
        const file = write(ns, ['hs0', 'hs1'].map(kept), 'more');
        const r = await runTunform(['apply', '-f', file]);
        expect(r.code).toBe(4);
        expect(r.stderr).toContain(`the holder (pid ${holder}) is stopped; continue it with 'kill -CONT ${holder}'`);
        expect(r.stderr).toContain('nothing was changed');
        expect(maybeLink(ns, 'hs1')).toBeUndefined();
      } finally {
        process.kill(holder!, 'SIGCONT');
      }
    });
  });
});

/** How many of pid's fds are attached to a tun device (fdinfo `iff:`). */
function countTunFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return /^iff:\s/m.test(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    } catch {
      return false;
    }
  }).length;
}
