/**
 * The tun-attach fixture (test/fixtures-c/tun-attach.c): a program that
 * attaches to a device with exactly the flags it is given, the way qemu asks
 * for vnet headers and tinc for packet info. It stays attached until its
 * stdin closes, so a test that dies takes it along.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';
import { eventually } from './traffic.js';

export type AttachFlag = 'mq' | 'pi' | 'vnet';

export function buildAttacher(): { bin: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tunform-attach-'));
  const bin = join(dir, 'tun-attach');
  execFileSync('gcc', ['-O2', '-Wall', '-o', bin, join(repoRoot, 'test', 'fixtures-c', 'tun-attach.c')]);
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export class Attacher {
  private out = '';
  private err = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.err += d));
  }

  /** `ip netns exec` execs the program, so this is the attacher's own pid. */
  get pid(): number {
    return this.child.pid!;
  }

  /** Attaches inside ns (optionally through a wrapper such as setpriv); resolves once attached. */
  static async start(bin: string, ns: string, dev: string, mode: 'tun' | 'tap', flags: readonly AttachFlag[], wrap: readonly string[] = []): Promise<Attacher> {
    const a = new Attacher(spawn('ip', ['netns', 'exec', ns, ...wrap, bin, dev, mode, ...flags], { stdio: ['pipe', 'pipe', 'pipe'] }));
    await eventually(() => {
      if (a.child.exitCode !== null) throw new Error(`tun-attach exited (${a.child.exitCode}): ${a.err}`);
      return a.out.includes('ready') ? true : undefined;
    }, `tun-attach to attach to ${dev}`);
    return a;
  }

  /** Closes its stdin and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((r) => this.child.once('close', r));
    this.child.stdin!.end();
    await closed;
  }
}
