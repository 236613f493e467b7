/**
 * Throwaway network namespaces for tests and benchmarks. Every kernel-touching
 * test makes its own namespace with a unique name and removes it afterwards,
 * even on failure, killing whatever still runs inside (holders keep a
 * namespace alive after `ip netns del`).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export function uniqueNetnsName(tag = 't'): string {
  // ip netns names become files under /run/netns; keep them short and unique.
  return `tf-${tag}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function createNetns(tag?: string): string {
  const name = uniqueNetnsName(tag);
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Kills every process inside the namespace, then deletes it. Never throws. */
export function destroyNetns(name: string): void {
  // Runs inside the namespace (`ip netns exec`) keep their holder and lock under its identity.
  let selfDir: string | undefined;
  try {
    const st = statSync(`/run/netns/${name}`);
    selfDir = `/run/tunform/self-${st.dev}-${st.ino}`;
  } catch {
    /* namespace already gone */
  }
  try {
    const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } catch {
    /* namespace may already be gone */
  }
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
  // The holder's socket and lock directory outlive the namespace.
  rmSync(`/run/tunform/netns/${name}`, { recursive: true, force: true });
  if (selfDir) rmSync(selfDir, { recursive: true, force: true });
}

/** Runs `ip -n NS ...args` and returns stdout. */
export function ipn(netns: string, ...args: string[]): string {
  return execFileSync('ip', ['-n', netns, ...args], { encoding: 'utf8' });
}

/**
 * Runs fn with a fresh namespace and always removes it. Use as
 *   await withNetns('drift', async (ns) => { ... })
 */
export async function withNetns<T>(tag: string, fn: (netns: string) => Promise<T> | T): Promise<T> {
  const ns = createNetns(tag);
  try {
    return await fn(ns);
  } finally {
    destroyNetns(ns);
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;
