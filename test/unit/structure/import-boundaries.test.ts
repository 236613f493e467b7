/**
 * The layering that keeps "reading never writes" visible in the imports:
 *
 *   src/plan   pure: reaches nothing that touches the system
 *   src/live   reads: may use src/sys, never src/apply
 *   src/sys    the system boundary (processes, capabilities, paths, the holder
 *              connection): used by live and apply, imports neither
 *
 * Checked over the transitive import graph of the sources, so a detour through
 * a third module does not hide a crossing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Node modules through which code reaches processes, files, sockets or the host. */
const SYSTEM_BUILTINS = ['child_process', 'fs', 'fs/promises', 'net', 'dgram', 'os', 'cluster', 'worker_threads', 'dns', 'http', 'https', 'tls'];

/** Import specifiers of one source text: static, re-exports, dynamic. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s*['"]([^'"]+)['"]/gm];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

/** A relative specifier as a repository path (`src/x/y.ts`); a bare one as itself without `node:`. */
function resolveSpecifier(fromFile: string, spec: string): string {
  if (!spec.startsWith('.')) return spec.replace(/^node:/, '');
  return relative(ROOT, resolve(dirname(join(ROOT, fromFile)), spec)).replace(/\.js$/, '.ts');
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((e) => {
    const path = join(dir, e);
    if (statSync(join(ROOT, path)).isDirectory()) return sourcesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module reachable from `start`, each with the chain that reached it. */
function reachable(start: readonly string[]): Map<string, string[]> {
  const chain = new Map<string, string[]>(start.map((f) => [f, [f]]));
  const queue = [...start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (!file.startsWith('src/')) continue;
    for (const spec of specifiersOf(readFileSync(join(ROOT, file), 'utf8'))) {
      const target = resolveSpecifier(file, spec);
      if (chain.has(target)) continue;
      chain.set(target, [...chain.get(file)!, target]);
      queue.push(target);
    }
  }
  return chain;
}

function crossings(from: string, forbidden: (target: string) => boolean): string[] {
  return [...reachable(sourcesUnder(from))].filter(([target]) => forbidden(target)).map(([, via]) => via.join(' -> '));
}

const under = (dir: string) => (t: string) => t.startsWith(`${dir}/`);

describe('import boundaries', () => {
  it('GIVEN import lines of every form WHEN scanned THEN each specifier is found', () => {
    const text = [
      "import { a } from '../apply/apply.js';",
      "import type { B } from './b.js';",
      "export { c } from '../sys/paths.js';",
      "const d = await import('node:child_process');",
      "import {\n  e,\n  f,\n} from 'node:fs';",
      "import './side-effect.js';",
    ].join('\n');
    expect(specifiersOf(text).sort()).toEqual(['../apply/apply.js', '../sys/paths.js', './b.js', './side-effect.js', 'node:child_process', 'node:fs']);
  });

  it('GIVEN the reader WHEN its imports are followed THEN it reaches the system boundary (the scan sees real edges)', () => {
    expect(reachable(sourcesUnder('src/live')).has('src/sys/run-command.ts')).toBe(true);
    expect(reachable(sourcesUnder('src/apply')).has('src/live/read-live-state.ts')).toBe(true);
  });

  it('GIVEN src/live WHEN its imports are followed THEN none reaches src/apply or src/cli', () => {
    expect(crossings('src/live', (t) => under('src/apply')(t) || under('src/cli')(t))).toEqual([]);
  });

  it('GIVEN src/plan WHEN its imports are followed THEN none reaches live, sys, apply, cli or a system builtin', () => {
    const touchesSystem = (t: string) =>
      ['src/live', 'src/sys', 'src/apply', 'src/cli'].some((d) => under(d)(t)) || SYSTEM_BUILTINS.includes(t);
    expect(crossings('src/plan', touchesSystem)).toEqual([]);
  });

  it('GIVEN src/sys WHEN its imports are followed THEN none reaches live, apply or cli', () => {
    expect(crossings('src/sys', (t) => ['src/live', 'src/apply', 'src/cli'].some((d) => under(d)(t)))).toEqual([]);
  });
});

describe('one process runner', () => {
  it('GIVEN every source file WHEN its imports are read THEN only src/sys imports child_process', () => {
    const spawners = sourcesUnder('src').filter(
      (f) => !under('src/sys')(f) && specifiersOf(readFileSync(join(ROOT, f), 'utf8')).some((s) => resolveSpecifier(f, s) === 'child_process'),
    );
    expect(spawners).toEqual([]);
  });
});
