/**
 * Runs the real `cdktf` CLI (and the terraform on PATH) against a cdktf app of
 * this repository, in a throwaway working directory: its own cdktf.json,
 * cdktf.out, local state and provider mirror (tunform's provider installed
 * offline, as `tunform install-provider --dir` does), so repeated runs, tests
 * and the demo never share state and need no network. Used by test/e2e and
 * scripts/demo.ts.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { installPlugin, mirrorCliConfig, packageVersionAt } from '../../../src/provider/install.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CDKTF_BIN = join(REPO_ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const TSX_CLI = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const TUNFORM_BIN = join(REPO_ROOT, 'bin', 'tunform.js');

const run = promisify(execFile);

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The terraform cdktf will use, or an explanation of why there is none. */
export function terraformVersion(): { ok: true; version: string } | { ok: false; reason: string } {
  try {
    const out = execFileSync('terraform', ['version', '-json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    return { ok: true, version: (JSON.parse(out) as { terraform_version: string }).terraform_version };
  } catch (e) {
    return { ok: false, reason: `terraform (>= 1.4) must be on PATH for the cdktf tests and the demo: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export interface CdktfProject {
  /** The throwaway working directory (cdktf.json, cdktf.out, terraform state). */
  readonly dir: string;
  /** cdktf.out/stacks/<stack>: what `tunform drift --synth` reads. */
  stackDir(stack: string): string;
  synth(env?: Record<string, string>): Promise<RunResult>;
  deploy(env?: Record<string, string>): Promise<RunResult>;
  destroy(env?: Record<string, string>): Promise<RunResult>;
  /** Removes the working directory. */
  remove(): void;
}

/**
 * A project around one app file (a .ts path under the repository), run with
 * tsx. `env` is passed to every cdktf run (e.g. TUNFORM_NETNS).
 */
export function cdktfProject(appFile: string, env: Record<string, string> = {}): CdktfProject {
  const dir = mkdtempSync(join(tmpdir(), 'tunform-cdktf-'));
  const app = [process.execPath, TSX_CLI, resolve(appFile)].map((a) => JSON.stringify(a)).join(' ');
  writeFileSync(
    join(dir, 'cdktf.json'),
    JSON.stringify(
      { language: 'typescript', app, output: 'cdktf.out', sendCrashReports: 'false', terraformProviders: [], terraformModules: [], context: {} },
      null,
      2
    )
  );
  // tunform's provider, installed offline into this directory's own mirror, and a CLI configuration that
  // points Terraform there (and nowhere else for it): no user settings leak in, nothing leaks out.
  const mirror = join(dir, 'providers');
  installPlugin(REPO_ROOT, mirror, packageVersionAt(REPO_ROOT), process.execPath);
  writeFileSync(join(dir, 'terraformrc'), mirrorCliConfig(mirror));
  const baseEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_CLI_CONFIG_FILE: join(dir, 'terraformrc'),
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    CI: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...env,
  };
  const cdktf = async (args: string[], extra: Record<string, string> = {}): Promise<RunResult> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CDKTF_BIN, ...args], {
        cwd: dir,
        env: { ...baseEnv, ...extra },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
    }
  };
  return {
    dir,
    stackDir: (stack) => join(dir, 'cdktf.out', 'stacks', stack),
    synth: (extra) => cdktf(['synth'], extra),
    // cdktf would run `terraform providers lock`, which asks the provider's origin (none: it lives in the mirror); init locks it from the mirror.
    deploy: (extra) => cdktf(['deploy', '--auto-approve', '--skip-provider-lock'], extra),
    destroy: (extra) => cdktf(['destroy', '--auto-approve', '--skip-provider-lock'], extra),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The lines of a cdktf run worth showing: terraform's summaries, provisioner errors, cdktf errors. */
export function summarize(r: RunResult): string[] {
  const text = stripAnsi(`${r.stdout}\n${r.stderr}`);
  const wanted = /(Apply complete!|Destroy complete!|No changes\.|Error|error:|Creation complete|Destruction complete|Still creating)/;
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^\s*[\w-]+\s{2,}/, '').trim())
    .filter((l) => wanted.test(l));
  return [...new Set(lines)];
}

export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, '');
}

/** Runs the tunform CLI (compiled, as the provisioners do). */
export async function tunform(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TUNFORM_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
  }
}

/** Compiles test/fixtures-c/tun-reader.c into dir; returns the binary's path. */
export function buildReader(dir: string): string {
  const out = join(dir, 'tun-reader');
  execFileSync('gcc', ['-O2', '-Wall', '-o', out, join(REPO_ROOT, 'test', 'fixtures-c', 'tun-reader.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

export interface Reader {
  readonly process: ChildProcess;
  /** Packets counted so far. */
  count(): number;
  /** Resolves once the count reaches n, or once it has not grown for quietMs. */
  settle(n: number, quietMs?: number): Promise<number>;
  /** Sends SIGTERM and resolves with the final count the reader printed. */
  stop(): Promise<number>;
}

/** Starts the reader on a device inside netns and waits until it has attached its queue. */
export function startReader(readerBin: string, netns: string, device: string): Promise<Reader> {
  const child = spawn('ip', ['netns', 'exec', netns, readerBin, device, '--print-each'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const count = () => {
    const m = /count (\d+)\s*$/.exec(out.trim());
    return m ? Number(m[1]) : 0;
  };
  const settle = async (n: number, quietMs = 500) => {
    let last = count();
    let lastChange = Date.now();
    while (count() < n) {
      await new Promise((r) => setTimeout(r, 20));
      const now = count();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= quietMs) {
        break;
      }
    }
    return count();
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (!/count \d+\s*$/.test(out.trim())) throw new Error(`tun-reader printed no count: ${out} ${err}`);
    return count();
  };
  return new Promise((resolveReady, reject) => {
    const onData = () => {
      if (out.includes('ready')) {
        child.stdout.off('data', onData);
        resolveReady({ process: child, count, settle, stop });
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`tun-reader exited (${code}) before attaching: ${err.trim()}`)));
  });
}

/**
 * Sends `count` UDP datagrams to dest:9 from distinct source ports inside
 * netns, so the kernel's flow hash spreads them over every active queue.
 */
export function sendUdp(netns: string, dest: string, count: number): void {
  const script = `
    const dgram = require('node:dgram');
    const [dest, count] = [process.argv[1], Number(process.argv[2])];
    for (let i = 0; i < count; i++) {
      const s = dgram.createSocket('udp4');
      s.bind(30000 + i, () => s.send('tunform', 9, dest, (e) => { if (e) { console.error(e.message); process.exitCode = 1; } s.close(); }));
    }`;
  execFileSync('ip', ['netns', 'exec', netns, process.execPath, '-e', script, dest, String(count)], { stdio: ['ignore', 'ignore', 'inherit'] });
}
