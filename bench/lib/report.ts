/**
 * Result rows, the console table and docs/benchmarks.md.
 *
 * Every run merges its rows into bench/results/latest.json (keyed by case,
 * metric and N), so `npm run bench -- drift --n 10000` refreshes only drift's
 * rows at 10000 and the document still shows every other row from its last
 * run, each with its own date.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, ROOT, type Stats } from './env.js';

export interface Row {
  /** Case id (command-line name). */
  case: string;
  /** What is measured, e.g. "drift time" or "drift peak RSS". */
  metric: string;
  n: number;
  unit: 'ms' | 'µs' | 'MiB' | 'ratio';
  subjectLabel: string;
  subject: Stats;
  baselineLabel?: string;
  baseline?: Stats;
  /** subject median / baseline median, when a baseline was measured. */
  ratio?: number;
  target: string;
  /** true PASS, false MISS, null: no target at this N (informational). */
  pass: boolean | null;
  note?: string;
  date?: string;
  runs?: number;
}

/** A row whose ratio (subject median / baseline median) and verdict against `max` (null: informational) are derived. */
export const ratioRow = (r: Omit<Row, 'ratio' | 'pass'>, max: number | null): Row => {
  const ratio = r.baseline ? r.subject.median / r.baseline.median : undefined;
  return { ...r, ...(ratio !== undefined ? { ratio } : {}), pass: max === null || ratio === undefined ? null : ratio <= max, runs: r.subject.n };
};

export interface Machine {
  host: string;
  cpu: string;
  cores: number;
  memGiB: number;
  kernel: string;
  node: string;
  iproute2: string;
  date: string;
  /** HEAD of the working tree measured (dist/ is built from it, plus any uncommitted changes). */
  commit?: string;
  /** The bench command of that last run, for the document's header (kept so --render can write the same header). */
  commandLine?: string;
}

function gitHead(): string {
  try {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'helper'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes in src/ or helper/` : head;
  } catch {
    return '?';
  }
}

export function machine(): Machine {
  let ipv = '?';
  try {
    ipv = execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    /* ignore */
  }
  return {
    host: hostname(),
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    iproute2: ipv,
    date: new Date().toISOString(),
    commit: gitHead(),
  };
}

const fmt = (x: number, unit: Row['unit']): string =>
  unit === 'ms' || unit === 'µs' ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : unit === 'MiB' ? x.toFixed(2) : x.toFixed(2);

const cell = (s: Stats | undefined, unit: Row['unit']): string =>
  s ? `${fmt(s.median, unit)} (${fmt(s.min, unit)}–${fmt(s.max, unit)})` : '—';

const verdict = (r: Row): string => (r.pass === null ? 'info' : r.pass ? 'PASS' : 'MISS');

const HEAD = ['case', 'metric', 'N', 'unit', 'tunform median (min–max)', 'baseline', 'baseline median (min–max)', 'ratio', 'target', 'result'];

function cells(r: Row): string[] {
  return [
    r.case,
    r.metric,
    String(r.n),
    r.unit,
    cell(r.subject, r.unit),
    r.baselineLabel ?? '—',
    cell(r.baseline, r.unit),
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    verdict(r),
  ];
}

export function printTable(rows: readonly Row[]): void {
  const table = [HEAD, ...rows.map(cells)];
  const w = HEAD.map((_, i) => Math.max(...table.map((t) => t[i]!.length)));
  for (const [k, t] of table.entries()) {
    console.log(t.map((c, i) => c.padEnd(w[i]!)).join('  '));
    if (k === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  }
  for (const r of rows) if (r.note) console.log(`  note [${r.case} ${r.metric} N=${r.n}]: ${r.note}`);
}

const RESULTS = join(BENCH_DIR, 'results', 'latest.json');
const keyOf = (r: Row) => `${r.case}\u0000${r.metric}\u0000${r.n}`;

/**
 * Rows of this run replace only the rows with the same case, metric and N:
 * `npm run bench -- drift --n 10000` keeps drift's rows at 1, 100 and 1000.
 * Ordered by case (as in `order`), then N, then in the order the case measured them.
 */
export function mergeRows(old: readonly Row[], fresh: readonly Row[], order: readonly string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const r of [...old, ...fresh]) byKey.set(keyOf(r), r);
  const caseRank = (r: Row) => {
    const i = order.indexOf(r.case);
    return i === -1 ? order.length : i;
  };
  return [...byKey.values()]
    .map((r, i) => ({ r, i }))
    .sort((a, b) => caseRank(a.r) - caseRank(b.r) || a.r.n - b.r.n || a.i - b.i)
    .map((x) => x.r);
}

/** Merges rows into bench/results/latest.json (see mergeRows) and returns what it wrote. */
export function mergeResults(rows: readonly Row[], m: Machine, order: readonly string[]): { rows: Row[]; machine: Machine } {
  const merged = { rows: mergeRows(readResults(), rows, order), machine: m };
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(merged, null, 2) + '\n');
  return merged;
}

/** The stored rows and the last run's machine facts (for --render), or undefined when nothing was measured yet. */
export function readStored(): { rows: Row[]; machine: Machine } | undefined {
  if (!existsSync(RESULTS)) return undefined;
  const stored = JSON.parse(readFileSync(RESULTS, 'utf8')) as { rows?: Row[]; machine?: Machine };
  return stored.machine ? { rows: stored.rows ?? [], machine: stored.machine } : undefined;
}

function readResults(): Row[] {
  if (!existsSync(RESULTS)) return [];
  try {
    return (JSON.parse(readFileSync(RESULTS, 'utf8')) as { rows?: Row[] }).rows ?? [];
  } catch {
    return [];
  }
}

export function writeDoc(rows: readonly Row[], m: Machine, descriptions: Record<string, string>, commandLine: string): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines: string[] = [];
  lines.push('# tunform benchmarks', '');
  lines.push('Generated by `npm run bench` (bench/run.ts); the analysis at the end is bench/notes.md. Do not edit the tables by hand.', '');
  lines.push('## Machine', '');
  lines.push(`- CPU: ${m.cpu}, ${m.cores} cores (shared, noisy); memory ${m.memGiB} GiB`);
  lines.push(`- kernel ${m.kernel}; Node.js ${m.node}; ${m.iproute2}`);
  lines.push(`- last run: ${m.date} — \`${commandLine}\`, tunform at ${m.commit ?? '?'}`);
  lines.push('');
  lines.push('## How to read this', '');
  lines.push(
    'Timings are wall-clock milliseconds of whole processes, as a user would see them: median (min–max) over the number of runs shown.',
    'Each case measures tunform and its baseline alternately (ABBA order after one untimed warm-up of each) in the same run, so the **ratio** (tunform median / baseline median) is the number to compare across machines; absolute times on this 2-core shared machine are noisy.',
    'Every case runs in throwaway network namespaces with unique names (`tfb-…`) that it creates and removes, killing processes inside first; nothing touches the machine\'s own namespace.',
    '',
  );
  lines.push('## Results', '');
  lines.push(`| ${HEAD.join(' | ')} | runs | date |`);
  lines.push(`|${HEAD.map(() => '---').join('|')}|---|---|`);
  for (const r of rows) lines.push(`| ${cells(r).map(esc).join(' | ')} | ${r.runs ?? r.subject.n} | ${(r.date ?? m.date).slice(0, 10)} |`);
  lines.push('');
  const notes = rows.filter((r) => r.note);
  if (notes.length > 0) {
    lines.push('Row notes:', '');
    for (const r of notes) lines.push(`- **${r.case} / ${r.metric} / N=${r.n}**: ${r.note}`);
    lines.push('');
  }
  lines.push('## Cases', '');
  for (const [id, d] of Object.entries(descriptions)) lines.push(`- **${id}** — ${d}`);
  lines.push('');
  const notesFile = join(BENCH_DIR, 'notes.md');
  if (existsSync(notesFile)) lines.push(readFileSync(notesFile, 'utf8').trimEnd(), '');
  const doc = lines.join('\n');
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), doc);
  return doc;
}
