/**
 * Traffic and kernel-inspection helpers for the CLI acceptance tests: the
 * tun-reader fixture (test/fixtures-c/tun-reader.c, built once per test file
 * into a temp dir), UDP senders that run inside a namespace, and small
 * readers of `ip -j` output and of the processes inside a namespace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';
import { createNetns, destroyNetns, ipn } from './netns.js';

export const UDP_PORT = 9000;

/** Compiles the reader fixture into a fresh temp dir; returns its path and a cleanup. */
export function buildReader(): { bin: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tunform-reader-'));
  const bin = join(dir, 'tun-reader');
  execFileSync('gcc', ['-O2', '-Wall', '-o', bin, join(repoRoot, 'test', 'fixtures-c', 'tun-reader.c')]);
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls probe until it returns a value; throws naming `what` after limitMs (a safety net, not an assertion). */
export async function eventually<T>(probe: () => T | undefined, what: string, limitMs = 15_000, everyMs = 50): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The reader fixture inside ns (`ip netns exec NS tun-reader DEV --print-each`), resolved once attached. */
export class Reader {
  readonly child: ChildProcess;
  count = 0;
  private out = '';
  private err = '';

  private constructor(bin: string, ns: string, dev: string, extra: readonly string[]) {
    this.child = spawn('ip', ['netns', 'exec', ns, bin, dev, '--print-each', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      for (const m of d.matchAll(/count (\d+)/g)) this.count = Math.max(this.count, Number(m[1]));
      if (this.out.length > 1 << 16) this.out = this.out.slice(-1024);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.err += d));
  }

  /** `ip netns exec` execs the program, so this is the reader's own pid. */
  get pid(): number {
    return this.child.pid!;
  }

  static async start(bin: string, ns: string, dev: string, extra: readonly string[] = []): Promise<Reader> {
    const r = new Reader(bin, ns, dev, extra);
    await eventually(() => {
      if (r.child.exitCode !== null) throw new Error(`reader exited (${r.child.exitCode}): ${r.err}`);
      return r.out.includes('ready') ? true : undefined;
    }, `the reader to attach to ${dev}`);
    return r;
  }

  /** Waits until the count reaches target or stops moving for quietMs; returns the count. Leaves the reader running. */
  async settle(target: number, quietMs = 1500): Promise<number> {
    let last = -1;
    let since = Date.now();
    while (this.count < target) {
      if (this.count !== last) {
        last = this.count;
        since = Date.now();
      } else if (Date.now() - since > quietMs) break;
      await sleep(50);
    }
    return this.count;
  }

  /** SIGKILLs the reader and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((r) => this.child.once('close', r));
    this.child.kill('SIGKILL');
    await closed;
  }
}

/** Sends n UDP datagrams to dest:UDP_PORT from inside ns, each from its own socket (own source port, own flow). */
export function sendDatagrams(ns: string, n: number, dest = '172.31.0.2'): void {
  const script = `
    const dgram = require('node:dgram');
    const socks = [];
    let left = ${n};
    for (let i = 0; i < ${n}; i++) {
      const s = dgram.createSocket('udp4');
      socks.push(s);
      s.send(Buffer.from('tunform ' + i), ${UDP_PORT}, ${JSON.stringify(dest)}, (e) => {
        if (e) { console.error(e.message); process.exitCode = 1; }
        if (--left === 0) socks.forEach((x) => x.close());
      });
    }`;
  execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface LinkJson {
  ifindex: number;
  ifname: string;
  flags: string[];
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
  stats64?: { tx?: { dropped?: number; packets?: number } };
}

export function links(ns: string): LinkJson[] {
  return JSON.parse(ipn(ns, '-d', '-j', 'link', 'show')) as LinkJson[];
}

/** Every link except lo. */
export function tunLinks(ns: string): LinkJson[] {
  return links(ns).filter((l) => l.ifname !== 'lo');
}

export function link(ns: string, name: string): LinkJson {
  const l = links(ns).find((x) => x.ifname === name);
  if (!l) throw new Error(`no link ${name} in ${ns}`);
  return l;
}

export function maybeLink(ns: string, name: string): LinkJson | undefined {
  return links(ns).find((x) => x.ifname === name);
}

export const infoData = (ns: string, name: string): Record<string, unknown> => link(ns, name).linkinfo?.info_data ?? {};

export function txDropped(ns: string, name: string): number {
  const [l] = JSON.parse(ipn(ns, '-s', '-j', 'link', 'show', 'dev', name)) as LinkJson[];
  return l?.stats64?.tx?.dropped ?? 0;
}

export function addresses(ns: string, name: string): string[] {
  const [a] = JSON.parse(ipn(ns, '-j', 'addr', 'show', 'dev', name)) as { addr_info: { local: string; prefixlen: number; scope: string }[] }[];
  return (a?.addr_info ?? []).filter((x) => x.scope !== 'link').map((x) => `${x.local}/${x.prefixlen}`);
}

/** Pids of processes inside ns (`ip netns pids`). */
export function netnsPids(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Pids of tunform holder processes (comm `tunform-holder`) inside ns. */
export function holderProcesses(ns: string): number[] {
  return netnsPids(ns).filter((p) => comm(p) === 'tunform-holder');
}

/**
 * Runs fn with a fresh namespace and always removes it afterwards, killing
 * what runs inside (holders, readers) and removing tunform's run directory
 * for it (/run/tunform/netns/NAME, which outlives the namespace).
 */
export async function inNetns<T>(tag: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = createNetns(tag);
  try {
    return await fn(ns);
  } finally {
    destroyNetns(ns);
    rmSync(join('/run/tunform/netns', ns), { recursive: true, force: true });
  }
}
