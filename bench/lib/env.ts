/**
 * Shared pieces of the benchmarks: throwaway namespaces (always removed, even
 * on failure or Ctrl-C), timed command runs, statistics, spec files, /proc
 * memory readings and the small C programs the bench compiles itself.
 *
 * Nothing here touches links of the machine's own namespace: every device is
 * made inside a namespace created here with a unique name.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH_DIR);
export const BUILD_DIR = join(BENCH_DIR, '.build');
export const CLI = join(ROOT, 'bin', 'tunform.js');

// ---------------------------------------------------------------- namespaces

const live = new Set<string>();
/** Link group used to delete a namespace's devices in one batch. */
const DOOMED_GROUP = 4242;
let workDir: string | undefined;

export function work(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'tunform-bench-'));
  return workDir;
}

export function createNetns(tag: string): string {
  const name = `tfb-${tag}-${process.pid}-${randomBytes(2).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  live.add(name);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** PIDs of every process whose network namespace is NS (ip netns pids). */
export function netnsPids(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Kills every process inside NS (the holder keeps a namespace alive), deletes its links, the namespace and tunform's run dir. Never throws. */
export function destroyNetns(ns: string): void {
  for (let round = 0; round < 3; round++) {
    const pids = netnsPids(ns).filter((p) => p !== process.pid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('sleep', ['0.05']);
  }
  // Delete the links synchronously, in one kernel batch: left to the
  // kernel's namespace cleanup, 1000 devices would be torn down in the
  // background while the next timed run goes, and `ip link del` one by one
  // waits for RCU each time (about 20 s for 1000 here). Deleting a link
  // group unregisters them all at once (about 0.2 s).
  try {
    const links = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'link', 'show'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as { ifname: string }[];
    const batch = links
      .filter((l) => l.ifname !== 'lo')
      .map((l) => `link set dev ${l.ifname} group ${DOOMED_GROUP}`)
      .join('\n');
    if (batch) {
      spawnSync('ip', ['-n', ns, '-force', '-batch', '-'], { input: batch + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
      spawnSync('ip', ['-n', ns, 'link', 'del', 'group', String(DOOMED_GROUP)], { stdio: 'ignore' });
    }
  } catch {
    /* namespace gone */
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  rmSync(join('/run/tunform/netns', ns), { recursive: true, force: true });
  live.delete(ns);
}

export async function withNetns<T>(tag: string, fn: (ns: string) => Promise<T> | T): Promise<T> {
  const ns = createNetns(tag);
  try {
    return await fn(ns);
  } finally {
    destroyNetns(ns);
  }
}

/** Registered cleanups (child processes) run before namespaces go. */
const cleanups = new Set<() => void>();
export function onCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export function cleanupAll(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  cleanups.clear();
  for (const ns of [...live]) destroyNetns(ns);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}

process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    cleanupAll();
    process.exit(130);
  });
}

// ---------------------------------------------------------------- running

export class CommandFailed extends Error {}

/** Runs argv to completion and returns its wall time in ms. Throws on an exit code not in `ok`. */
export function timeRun(argv: readonly string[], opts: { ok?: readonly number[]; input?: string; env?: NodeJS.ProcessEnv } = {}): number {
  const sopts: SpawnSyncOptions = { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], maxBuffer: 256 << 20 };
  if (opts.input !== undefined) sopts.input = opts.input;
  if (opts.env) sopts.env = opts.env;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), sopts);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const ok = opts.ok ?? [0];
  if (r.error || r.status === null || !ok.includes(r.status)) {
    throw new CommandFailed(
      `${argv.join(' ')} -> ${r.error?.message ?? `exit ${r.status ?? r.signal}`}\n${String(r.stdout ?? '').slice(-2000)}${String(r.stderr ?? '').slice(-2000)}`,
    );
  }
  return ms;
}

/** Same, returning stdout. */
export function run(argv: readonly string[], opts: { ok?: readonly number[]; input?: string } = {}): string {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    ...(opts.input !== undefined ? { input: opts.input } : { stdio: ['ignore', 'pipe', 'pipe'] }),
  });
  const ok = opts.ok ?? [0];
  if (r.error || r.status === null || !ok.includes(r.status)) {
    throw new CommandFailed(`${argv.join(' ')} -> ${r.error?.message ?? `exit ${r.status ?? r.signal}`}\n${r.stdout}${r.stderr}`);
  }
  return r.stdout;
}

export const tunform = (...args: string[]): string[] => [process.execPath, CLI, ...args];

/** Peak RSS (KiB) of a command, via bench/.build/rusage (wait4). */
export function peakRssKb(argv: readonly string[], ok: readonly number[] = [0]): number {
  const out = join(work(), `rusage-${randomBytes(3).toString('hex')}`);
  timeRun([join(BUILD_DIR, 'rusage'), out, ...argv], { ok });
  const m = /maxrss_kb (\d+)/.exec(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  if (!m) throw new Error('rusage wrote no maxrss');
  return Number(m[1]);
}

/** A long-running child that prints a line (e.g. "ready") once it is set up. Resolves with the child and the ms until that line. */
export function spawnUntil(
  argv: readonly string[],
  marker: string,
  timeoutMs = 120_000,
): Promise<{ child: ReturnType<typeof spawn>; ms: number; out: () => string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const dispose = onCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${argv[0]}: no '${marker}' within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const finish = (e?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) {
        if (child.exitCode === null) child.kill('SIGKILL');
        dispose();
        reject(e);
      } else {
        resolve({ child, ms: Number(process.hrtime.bigint() - t0) / 1e6, out: () => out });
      }
    };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes(marker)) finish();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => finish(e));
    child.on('exit', (code) => finish(new Error(`${argv.join(' ')} exited ${code} before '${marker}': ${err}`)));
  });
}

/** Stops a child (SIGKILL) and waits for it. */
export async function stop(child: ReturnType<typeof spawn>, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((r) => child.once('close', r));
  child.kill(signal);
  await closed;
}

// ---------------------------------------------------------------- stats

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(xs: readonly number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median: m, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/**
 * Runs subject and baseline alternately (ABBA order, so slow drifts of a noisy
 * machine hit both alike) after one untimed warm-up of each.
 */
export async function paired(
  runs: number,
  subject: () => number | Promise<number>,
  baseline: () => number | Promise<number>,
  warmup = true,
): Promise<{ subject: number[]; baseline: number[] }> {
  if (warmup) {
    await baseline();
    await subject();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    await yieldToSignals();
    if (i % 2 === 0) {
      a.push(await subject());
      b.push(await baseline());
    } else {
      b.push(await baseline());
      a.push(await subject());
    }
  }
  return { subject: a, baseline: b };
}

// ---------------------------------------------------------------- specs

/** The address of bench device i: its own /24, the device at .1 (the traffic case sends to .2). */
export const addrOf = (i: number, host = 1): string => `10.${64 + (i >> 8)}.${i & 255}.${host}`;
export const devName = (prefix: string, i: number): string => `${prefix}${i}`;

export interface SpecOptions {
  prefix?: string;
  multiQueue?: boolean;
  keepCarrier?: boolean;
  /** Per-device address override (the change case). */
  addressOf?: (i: number) => string;
}

export function specYaml(ns: string, n: number, o: SpecOptions = {}): string {
  const prefix = o.prefix ?? 'bt';
  const lines = [`netns: ${ns}`, 'devices:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - name: ${devName(prefix, i)}`, '    mode: tun');
    if (o.multiQueue) lines.push('    multiQueue: true');
    if (o.keepCarrier) lines.push('    keepCarrier: true');
    lines.push(`    addresses: [${o.addressOf ? o.addressOf(i) : `${addrOf(i)}/24`}]`);
  }
  return lines.join('\n') + '\n';
}

export function writeSpec(ns: string, n: number, o: SpecOptions = {}, tag = 'spec'): string {
  const file = join(work(), `${ns}-${tag}.yaml`);
  writeFileSync(file, specYaml(ns, n, o));
  return file;
}

/** The ip -batch floor for "create, address, up" of N single-queue tun devices (what case 2's spec declares). */
export function ipBatchCreate(n: number, o: { prefix?: string; multiQueue?: boolean } = {}): string {
  const prefix = o.prefix ?? 'bt';
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`tuntap add dev ${devName(prefix, i)} mode tun${o.multiQueue ? ' multi_queue' : ''}`);
  for (let i = 0; i < n; i++) out.push(`address add ${addrOf(i)}/24 dev ${devName(prefix, i)}`);
  for (let i = 0; i < n; i++) out.push(`link set dev ${devName(prefix, i)} up`);
  return out.join('\n') + '\n';
}

export function ipBatchAddrUp(n: number, prefix = 'bt'): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`address add ${addrOf(i)}/24 dev ${devName(prefix, i)}`);
  for (let i = 0; i < n; i++) out.push(`link set dev ${devName(prefix, i)} up`);
  return out.join('\n') + '\n';
}

export function writeFile(name: string, text: string): string {
  const file = join(work(), name);
  writeFileSync(file, text);
  return file;
}

// ---------------------------------------------------------------- /proc

export function netnsInode(ns: string): number {
  return statSync(join('/run/netns', ns)).ino;
}

/** PIDs whose comm is `comm` and whose network namespace is NS. */
export function pidsByComm(comm: string, ns?: string): number[] {
  const ino = ns === undefined ? undefined : netnsInode(ns);
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() !== comm) continue;
      if (ino !== undefined) {
        const link = readlinkSync(`/proc/${e}/ns/net`); // net:[4026532...]
        if (link !== `net:[${ino}]`) continue;
      }
      out.push(Number(e));
    } catch {
      /* raced with exit */
    }
  }
  return out;
}

/** Pss and Rss (KiB) from /proc/PID/smaps_rollup. */
export function memKb(pid: number): { pss: number; rss: number } {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const pss = Number(/^Pss:\s+(\d+) kB/m.exec(t)?.[1] ?? NaN);
  const rss = Number(/^Rss:\s+(\d+) kB/m.exec(t)?.[1] ?? NaN);
  return { pss, rss };
}

// ---------------------------------------------------------------- build

export function buildC(name: string, src: string): string {
  mkdirSync(BUILD_DIR, { recursive: true });
  const bin = join(BUILD_DIR, name);
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    execFileSync('gcc', ['-O2', '-Wall', '-o', bin, src], { stdio: 'inherit' });
  }
  return bin;
}

export function ensureBuilt(): void {
  buildC('rusage', join(BENCH_DIR, 'rusage.c'));
  buildC('floor-hold', join(BENCH_DIR, 'floor-hold.c'));
  const reader = join(ROOT, 'test', 'fixtures-c', 'tun-reader.c');
  if (existsSync(reader)) buildC('tun-reader', reader);
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')) || !existsSync(join(ROOT, 'helper', 'build', 'tunform-helper'))) {
    throw new Error('dist/ or the helper is missing: run `npm run build` first');
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runs are synchronous; let a pending SIGINT/SIGTERM handler run (it cleans up) between them. */
export const yieldToSignals = () => new Promise((r) => setImmediate(r));
