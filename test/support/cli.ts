/**
 * Runs the real, compiled tunform CLI (`node bin/tunform.js ...`) the way a
 * user or CI job does, and returns its exit code and output. Tests call
 * `requireBuiltCli()` in a beforeAll so a missing build fails clearly instead
 * of as a confusing module error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const cliBin = join(repoRoot, 'bin', 'tunform.js');
export const builtMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /**
   * Run through a wrapper command, e.g. `['ip', 'netns', 'exec', NS]` or
   * `['setpriv', '--reuid=nobody', ...]`. The CLI is started as `...wrap node bin/tunform.js args`.
   */
  readonly wrap?: readonly string[];
}

/** Throws with a clear message when `npm run build` has not produced dist/. */
export function requireBuiltCli(): void {
  if (!existsSync(builtMain)) {
    throw new Error(`the compiled CLI is missing (${builtMain}); run 'npm run build' before these tests`);
  }
  if (!existsSync(join(repoRoot, 'helper', 'build', 'tunform-helper'))) {
    throw new Error("the helper binary is missing (helper/build/tunform-helper); run 'npm run build' before these tests");
  }
}

function command(args: readonly string[], opts: RunOptions): [string, string[]] {
  const full = [...(opts.wrap ?? []), process.execPath, cliBin, ...args];
  return [full[0]!, full.slice(1)];
}

function childEnv(opts: RunOptions): NodeJS.ProcessEnv {
  // No colour codes in captured output; the caller's env wins.
  return { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...(opts.env ?? {}) };
}

/** Runs the CLI to completion. Never throws on a non-zero exit: the code is the result. */
export function runTunform(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  const [cmd, argv] = command(args, opts);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd: repoRoot, env: childEnv(opts), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

/** Synchronous variant, for short read-only commands. */
export function runTunformSync(args: readonly string[], opts: RunOptions = {}): CliResult {
  const [cmd, argv] = command(args, opts);
  const r = spawnSync(cmd, argv, { cwd: repoRoot, env: childEnv(opts), input: opts.input ?? '', encoding: 'utf8' });
  if (r.error) throw r.error;
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting (for kill-mid-run and concurrency tests). */
export function spawnTunform(args: readonly string[], opts: RunOptions = {}): ChildProcess {
  const [cmd, argv] = command(args, opts);
  return spawn(cmd, argv, { cwd: repoRoot, env: childEnv(opts), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a spawned CLI's output and exit code. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((r) => child.on('close', (code, signal) => r({ code: code ?? (signal ? 128 : -1), stdout, stderr })));
}

/** Wrapper that runs a command as nobody:nogroup with no supplementary groups and no capabilities. */
export const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] as const;

/** A private temp directory readable by every user (so `nobody` can read the specs in it). */
export class SpecDir {
  readonly path: string;
  constructor(tag: string) {
    this.path = mkdtempSync(join(tmpdir(), `tunform-${tag}-`));
    chmodSync(this.path, 0o755);
  }

  /** Writes a spec file (world-readable) and returns its path. */
  write(name: string, yaml: string): string {
    const p = join(this.path, name);
    writeFileSync(p, yaml);
    chmodSync(p, 0o644);
    return p;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface DeviceYaml {
  name: string;
  mode?: 'tun' | 'tap';
  multiQueue?: boolean;
  keepCarrier?: boolean;
  packetInfo?: boolean;
  vnetHeader?: boolean;
  user?: string | number;
  group?: string | number;
  anyoneMayAttach?: boolean;
  mtu?: number;
  up?: boolean;
  addresses?: string[];
}

/** A YAML spec for these devices, optionally bound to a namespace. */
export function specYaml(devices: readonly DeviceYaml[], netns?: string): string {
  const lines: string[] = [];
  if (netns) lines.push(`netns: ${netns}`);
  if (devices.length === 0) return [...lines, 'devices: []', ''].join('\n');
  lines.push('devices:');
  for (const d of devices) {
    lines.push(`  - name: ${d.name}`, `    mode: ${d.mode ?? 'tun'}`);
    for (const k of ['multiQueue', 'keepCarrier', 'packetInfo', 'vnetHeader', 'user', 'group', 'anyoneMayAttach', 'mtu', 'up'] as const) {
      if (d[k] !== undefined) lines.push(`    ${k}: ${String(d[k])}`);
    }
    if (d.addresses) lines.push(`    addresses: [${d.addresses.map((a) => JSON.stringify(a)).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}
