/**
 * tunform as a user gets it (issue 11, "installing from the package"): the
 * packed tarball, installed into a fresh project (as a cdktf project's
 * dependency) and globally under a temporary prefix. Each installed copy
 * reports its version, applies and destroys a device in a throwaway
 * namespace, and the project synthesizes a stack with the real `cdktf synth`.
 *
 * npm may skip a dependency's install script (`ignore-scripts`, or npm 11's
 * allowScripts policy), so the project install runs without scripts (the
 * helper is compiled on first use) and the global install with them (npm's
 * install step compiles it). Both are paths users meet. The two installs run
 * at once: they wait mostly on the disk.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli } from '../support/cli.js';
import { skipUnlessRoot } from '../support/require-root.js';
import { inNetns, link, maybeLink } from '../support/traffic.js';

const INSTALL_TIMEOUT_MS = 300_000;
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
/** The cdktf libraries the project installs beside tunform: the versions this repository builds with, so an offline cache has them. */
const peerVersion = (name: string) => (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const CDKTF_CLI = join(repoRoot, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');

let work: string;
let tarball: string;
let project: string;
let prefix: string;
let installs: Promise<[void, void]>;

/** Runs npm to completion; rejects with its output on failure. */
function npm(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (${code}):\n${out}`))));
  });
}

function run(bin: string, args: readonly string[], cwd = work): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Apply then destroy one multi-queue keepCarrier device with the installed CLI at bin. */
async function applyAndDestroy(bin: string, tag: string): Promise<void> {
  await inNetns(tag, async (ns) => {
    const spec = join(work, `${tag}.yaml`);
    writeFileSync(spec, ['devices:', '  - name: tun-pkg', '    mode: tun', '    multiQueue: true', '    keepCarrier: true', '    addresses: [10.77.0.1/24]', ''].join('\n'));
    const applied = run(bin, ['apply', '-f', spec, '--netns', ns]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(link(ns, 'tun-pkg').linkinfo?.info_data).toMatchObject({ multi_queue: true, numdisabled: 1 });
    const destroyed = run(bin, ['destroy', '-f', spec, '--netns', ns]);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(maybeLink(ns, 'tun-pkg')).toBeUndefined();
  });
}

describe.skipIf(skipUnlessRoot())('the npm package, installed', () => {
  beforeAll(() => {
    requireBuiltCli();
    work = mkdtempSync(join(tmpdir(), 'tunform-pkg-'));
    // The build ran in setup (npm install runs prepare); pack what it made.
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').pop()!;
    tarball = join(work, name);
    project = join(work, 'project');
    prefix = join(work, 'global');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tunform-consumer', version: '1.0.0', private: true, type: 'module' }));
    const peers = ['cdktf', 'constructs'].map((p) => `${p}@${peerVersion(p)}`);
    installs = Promise.all([
      npm(['install', '--ignore-scripts', tarball, ...peers], project),
      npm(['install', '-g', '--prefix', prefix, '--allow-scripts=tunform', tarball], work),
    ]);
    installs.catch(() => {}); // awaited by the tests that need them
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN the packed tarball THEN it holds the compiled code, both executables and the helper sources, and no tests or build output', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of [
      'package/package.json', 'package/bin/tunform.js', 'package/bin/terraform-provider-tunform.cjs', 'package/bin/load-bundle.cjs',
      'package/dist/tunform.cjs', 'package/dist/tunform-provider.cjs', 'package/dist/constructs/index.js', 'package/dist/src/index.d.ts',
      'package/helper/Makefile', 'package/helper/src/main.c', 'package/scripts/build-helper.cjs', 'package/schema/tunform.schema.json',
    ]) {
      expect(files, f).toContain(f);
    }
    const unwanted = files.filter((f) => /^package\/(test|bench|\.ci|src|helper\/build|node_modules)\//.test(f));
    expect(unwanted).toEqual([]);
    const manifest = JSON.parse(execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf8' })) as Record<string, Record<string, unknown>>;
    expect(Object.keys(manifest.dependencies!)).not.toContain('typescript');
    expect(Object.keys(manifest.dependencies!)).not.toContain('cdktf');
    expect(manifest.peerDependenciesMeta).toMatchObject({ cdktf: { optional: true }, constructs: { optional: true } });
  });

  it('GIVEN a fresh cdktf project WHEN the tarball is installed THEN tunform runs, applies in a namespace (compiling its helper on first use) and cdktf synth works', async () => {
    await installs;
    const installed = join(project, 'node_modules', 'tunform');
    const bin = join(project, 'node_modules', '.bin', 'tunform');
    expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(installed, 'helper', 'build', 'tunform-helper'))).toBe(false);

    const v = run(bin, ['--version'], project);
    expect(v).toMatchObject({ code: 0, stdout: `${version}\n` });
    await applyAndDestroy(bin, 'pkg-proj');
    expect(existsSync(join(installed, 'helper', 'build', 'tunform-helper'))).toBe(true);

    writeFileSync(
      join(project, 'main.mjs'),
      [
        "import { App, TerraformStack } from 'cdktf';",
        "import { TunformHost, TunNetdev } from 'tunform/constructs';",
        'const app = new App();',
        "const stack = new TerraformStack(app, 'pkg');",
        "new TunformHost(stack, 'host', {});",
        "new TunNetdev(stack, 'dev', { name: 'tun-pkg', mode: 'tun', multiQueue: true, keepCarrier: true });",
        'app.synth();',
        '',
      ].join('\n'),
    );
    writeFileSync(join(project, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.mjs', output: 'cdktf.out', sendCrashReports: 'false' }));
    const synth = spawnSync(process.execPath, [CDKTF_CLI, 'synth'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);
    const stack = JSON.parse(readFileSync(join(project, 'cdktf.out', 'stacks', 'pkg', 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, unknown> };
    expect(JSON.stringify(stack.resource ?? {})).toContain('"tun-pkg"');
    // The stack was built by the installed constructs, not this repository's.
    expect(JSON.stringify(stack)).not.toContain(repoRoot);
    const validated = run(bin, ['validate', '--synth', join(project, 'cdktf.out', 'stacks', 'pkg')], project);
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toContain('tun-pkg (tun, multiQueue, keepCarrier)');
  }, INSTALL_TIMEOUT_MS);

  it('GIVEN a global install under a temporary prefix with install scripts allowed THEN npm compiles the helper and the global tunform applies', async () => {
    await installs;
    const installed = join(prefix, 'lib', 'node_modules', 'tunform');
    expect(existsSync(join(installed, 'helper', 'build', 'tunform-helper'))).toBe(true);
    const bin = join(prefix, 'bin', 'tunform');
    expect(run(bin, ['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    await applyAndDestroy(bin, 'pkg-glob');
  }, INSTALL_TIMEOUT_MS);

  it('GIVEN no gcc and no make WHEN the install step builds the helper THEN it fails saying what to install and how to skip', () => {
    const bare = join(work, 'bare-path');
    mkdirSync(bare, { recursive: true });
    if (!existsSync(join(bare, 'node'))) symlinkSync(process.execPath, join(bare, 'node'));
    const script = join(repoRoot, 'scripts', 'build-helper.cjs');
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: bare } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("tunform: cannot build the helper: 'make' and 'gcc' are not installed");
    expect(r.stderr).toContain('apt-get install gcc make');
    expect(r.stderr).toContain('TUNFORM_SKIP_HELPER_BUILD=1');
    expect(readdirSync(bare)).toEqual(['node']);
  });
});
