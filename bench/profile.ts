/**
 * Profiles one tunform command with `node --cpu-prof` in a throwaway
 * namespace and summarises where the time goes: wall time, CPU by origin
 * (tunform's own code, each npm package, Node's module loader and internals,
 * GC, idle = waiting for ip / the helper), the top self-time functions, and
 * the modules loaded.
 *
 *   npx tsx bench/profile.ts drift|noop|apply|apply-kc|change|help [--n 1000]
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, addrOf, cleanupAll, ensureBuilt, run, timeRun, withNetns, writeSpec } from './lib/env.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function origin(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:internal/modules') || url.includes('internal/modules/')) return 'node: module loader';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm: ${nm[1]}`;
  if (url.includes('/dist/')) return `tunform: ${url.slice(url.indexOf('/dist/') + 6).replace(/^src\//, '')}`;
  return url;
}

export function summarise(p: Profile, top = 15): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = (p.endTime - p.startTime) / 1000;
  const byOrigin = new Map<string, number>();
  const byFn = new Map<string, number>();
  // Inclusive time under the module loader (anything below a frame of internal/modules): "loading code".
  let loading = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const o = origin(n.callFrame.url, n.callFrame.functionName);
    byOrigin.set(o.startsWith('tunform:') ? 'tunform (all files)' : o, (byOrigin.get(o.startsWith('tunform:') ? 'tunform (all files)' : o) ?? 0) + us);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${o}:${n.callFrame.lineNumber + 1}`;
    byFn.set(f, (byFn.get(f) ?? 0) + us);
    let cur: number | undefined = id;
    while (cur !== undefined) {
      const u = byId.get(cur)!.callFrame.url;
      if (u.includes('internal/modules/')) {
        loading += us;
        break;
      }
      cur = parent.get(cur);
    }
  }
  const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
  const lines = [`profiled wall time ${total.toFixed(1)} ms; under the module loader (compile + evaluate imports, inclusive): ${ms(loading)}`, '', 'self time by origin:'];
  for (const [o, us] of [...byOrigin].sort((a, b) => b[1] - a[1]).slice(0, 14)) lines.push(`  ${ms(us).padStart(10)}  ${((100 * us) / 1000 / total).toFixed(0).padStart(3)}%  ${o}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [f, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${ms(us).padStart(10)}  ${f}`);
  const files = new Set(p.nodes.map((n) => n.callFrame.url).filter((u) => u.includes('node_modules/')));
  const pkgs = new Map<string, number>();
  for (const u of files) {
    const k = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)![1]!;
    pkgs.set(k, (pkgs.get(k) ?? 0) + 1);
  }
  lines.push('', `npm packages with code on the profile (files seen): ${[...pkgs].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const what = argv[0] ?? 'drift';
  const ni = argv.indexOf('--n');
  const n = ni >= 0 ? Number(argv[ni + 1]) : 1000;
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'tunform-prof-'));
  const prof = (args: string[], ok = [0]) => {
    const ms = timeRun([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '200', CLI, ...args], { ok });
    const f = readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'));
    const p = JSON.parse(readFileSync(join(dir, f[f.length - 1]!), 'utf8')) as Profile;
    for (const x of f) rmSync(join(dir, x));
    console.log(`\n=== tunform ${args.join(' ')}  (N=${n}; process wall ${ms.toFixed(0)} ms incl. profiler overhead)`);
    console.log(summarise(p));
  };
  try {
    if (what === 'help') prof(['--help']);
    else
      await withNetns('prof', (ns) => {
        const kc = what === 'apply-kc';
        const spec = writeSpec(ns, n, kc ? { multiQueue: true, keepCarrier: true } : {});
        if (what === 'apply' || what === 'apply-kc') return prof(['apply', '-f', spec]);
        run([process.execPath, CLI, 'apply', '-f', spec]);
        if (what === 'drift') return prof(['drift', '-f', spec]);
        if (what === 'noop') return prof(['apply', '-f', spec]);
        if (what === 'change') {
          const b = writeSpec(ns, n, { addressOf: (i) => `${addrOf(i, i === 0 ? 9 : 1)}/24` }, 'b');
          return prof(['apply', '-f', b]);
        }
        throw new Error(`unknown: ${what}`);
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    cleanupAll();
  }
  void ROOT;
}

await main();
