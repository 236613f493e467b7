/**
 * loadPlainYaml against js-yaml: whatever it accepts must load to exactly
 * what js-yaml's load with CORE_SCHEMA gives, and whatever js-yaml rejects it
 * must leave to js-yaml (so the error and its position stay js-yaml's).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadPlainYaml } from '../../../src/spec/yaml-plain.js';
import { rng } from '../../support/rng.js';

type Outcome = { ok: true; value: unknown } | { ok: false };
const jsYaml = (text: string): Outcome => {
  try {
    return { ok: true, value: load(text, { schema: CORE_SCHEMA }) };
  } catch {
    return { ok: false };
  }
};

/** Fails with the text when the plain loader accepts what js-yaml loads differently or rejects. */
function agrees(text: string): boolean {
  const plain = loadPlainYaml(text);
  if (plain === undefined) return false;
  const reference = jsYaml(text);
  expect(reference, JSON.stringify(text)).toEqual({ ok: true, value: plain.value });
  // Same prototypes and key order, not only deep equality.
  expect(JSON.stringify(plain.value), JSON.stringify(text)).toBe(JSON.stringify((reference as { value: unknown }).value));
  return true;
}

const specFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? specFiles(p) : /\.ya?ml$/.test(e) ? [p] : [];
  });

const SCALARS = [
  'tun', 'tap', 'true', 'True', 'TRUE', 'false', 'FALSE', 'null', 'Null', '~', '', '0', '1', '012', '08', '1500', '65535', '-1', '+1', '1_000',
  '0x1F', '0o17', '0b11', '1e3', '1.5', '.5', '.inf', '.NaN', '9007199254740993', '10.64.0.1/24', 'fd00::1/64', '::1/128', '1:20', 'a:b', 'a: b',
  'a:', 'bt0', 'vpn-0', 'a b', 'a  b', 'a #c', 'a#c', 'x]', '[a]', '[a, b]', '[ ]', '[]', '[a,]', '[a, [b]]', '[a: b]', '[1, 2]', '[true, x]',
  "'q'", '"q"', '&a x', '*a', '!!str 1', '|', '>', '{a: 1}', '? a', '%x', '@x', '`x', 'a\\b', 'é', '10.0.0.1 peer 10.0.0.2/32', '-x', '- x', 'x -y',
  'a :b', '__proto__', 'yes', 'on', '2001-12-14',
];
const KEYS = ['name', 'mode', 'mtu', 'addresses', 'netns', 'devices', 'up', 'True', 'null', '__proto__', 'a-b', 'a_b', '1', 'a b', 'x.y', '<<', '"k"'];
const INDENTS = [0, 1, 2, 3, 4, 6];

function randomDoc(r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const lines: string[] = [];
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const indent = ' '.repeat(r() < 0.6 ? pick([0, 2, 4]) : pick(INDENTS));
    const kind = r();
    if (kind < 0.4) lines.push(`${indent}${pick(KEYS)}:${r() < 0.8 ? ` ${pick(SCALARS)}` : ''}`);
    else if (kind < 0.7) lines.push(`${indent}- ${r() < 0.5 ? `${pick(KEYS)}: ${pick(SCALARS)}` : pick(SCALARS)}`);
    else if (kind < 0.75) lines.push(`${indent}-`);
    else if (kind < 0.85) lines.push(`${indent}${pick(KEYS)}:`);
    else if (kind < 0.9) lines.push(`${indent}# ${pick(SCALARS)}`);
    else if (kind < 0.93) lines.push('');
    else lines.push(`${indent}${pick(['---', '...', '\t- a', 'a:\r', `${pick(KEYS)}: ${pick(SCALARS)} # note`, `-   ${pick(KEYS)}: ${pick(SCALARS)}`])}`);
  }
  return lines.join('\n') + (r() < 0.8 ? '\n' : '');
}

/** A well-formed nested document, then now and then one line shifted by a space or two. */
function structuredDoc(r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const plainScalars = SCALARS.filter((x) => /^[A-Za-z0-9]/.test(x));
  const lines: string[] = [];
  const value = (indent: number, depth: number, prefix: string, underKey: boolean): void => {
    const k = r();
    if (depth > 3 || k < 0.45) {
      const v = r() < 0.2 ? `[${Array.from({ length: Math.floor(r() * 3) }, () => pick(plainScalars)).join(', ')}]` : pick(plainScalars);
      lines.push(`${prefix} ${v}`.replace(/^ /, ''));
      return;
    }
    if (k < 0.75) {
      // a mapping below a key, or one that starts on a dash's line
      const keys = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(['name', 'mode', 'mtu', 'addresses', 'up', 'a', 'b-c', 'd_e'])))];
      if (prefix.endsWith('-')) {
        const gap = pick([1, 1, 1, 2, 3]);
        keys.forEach((key, i) => {
          const column = indent + 1 + gap;
          const head = i === 0 ? `${' '.repeat(indent)}-${' '.repeat(gap)}${key}:` : `${' '.repeat(column)}${key}:`;
          value(column, depth + 1, head, true);
        });
        return;
      }
      lines.push(prefix);
      const inner = indent + pick([1, 2, 2, 4]);
      for (const key of keys) value(inner, depth + 1, `${' '.repeat(inner)}${key}:`, true);
      return;
    }
    // a sequence: below a key at a deeper column, or at the key's own column
    lines.push(prefix);
    const inner = underKey && r() < 0.3 ? indent : indent + pick([1, 2, 2, 4]);
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i++) value(inner, depth + 1, `${' '.repeat(inner)}-`, false);
  };
  const keys = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(['netns', 'devices', 'x'])))];
  for (const key of keys) value(0, 0, `${key}:`, true);
  if (r() < 0.3 && lines.length > 1) {
    const i = 1 + Math.floor(r() * (lines.length - 1));
    lines[i] = `${' '.repeat(1 + Math.floor(r() * 2))}${lines[i]}`;
  }
  if (r() < 0.1) lines.splice(Math.floor(r() * lines.length), 0, pick(['', '# c', '   # c']));
  return lines.join('\n') + '\n';
}

describe('loadPlainYaml', () => {
  it("GIVEN the shape of bench and generated specs WHEN loaded THEN it is taken, and equals js-yaml's load", () => {
    const spec = ['netns: lab', 'devices:'];
    for (let i = 0; i < 50; i++) spec.push(`  - name: bt${i}`, '    mode: tun', '    multiQueue: true', `    addresses: [10.64.${i}.1/24, fd00::${i + 1}/64]`);
    expect(agrees(spec.join('\n') + '\n')).toBe(true);
    expect(agrees('devices:\n- name: a\n  mode: tap\n  mtu: 9000\n  user: 1000\n  up: false\n  addresses: []\nnetns: x\n')).toBe(true);
    expect(agrees('# a comment\ndevices: # the list\n  - name: a   # trailing\n\n    mode: tun\n')).toBe(true);
  });

  it("GIVEN every YAML file of the examples and test fixtures WHEN the plain loader takes it THEN it equals js-yaml's load", () => {
    const files = [...specFiles('examples'), ...specFiles('test/fixtures')];
    expect(files.length).toBeGreaterThan(10);
    const taken = files.filter((f) => agrees(readFileSync(f, 'utf8')));
    // The subset covers how specs are written: most files are taken, not left to js-yaml.
    expect(taken.length).toBeGreaterThan(files.length / 2);
  });

  it("GIVEN 20,000 random texts (random lines, and nested documents with a line shifted now and then) WHEN loaded THEN each one taken equals js-yaml's load, and js-yaml's errors stay js-yaml's", () => {
    const r = rng(12);
    let taken = 0;
    let rejectedByJsYaml = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = i % 2 === 0 ? randomDoc(r) : structuredDoc(r);
      if (agrees(text)) taken++;
      else if (!jsYaml(text).ok) rejectedByJsYaml++;
    }
    // The generator reaches both sides: the check above ran on thousands of texts, and on texts js-yaml rejects.
    expect(taken).toBeGreaterThan(1000);
    expect(rejectedByJsYaml).toBeGreaterThan(1000);
  });

  it('GIVEN what the subset leaves out WHEN loaded THEN js-yaml is asked (undefined)', () => {
    for (const text of [
      '',
      '# only a comment\n',
      'a: "q"\n',
      'a: &x 1\nb: *x\n',
      'a: 1\na: 2\n',
      'a: |\n  x\n',
      'a: x\n  y\n',
      'a: 012\n',
      'a: 1.5\n',
      'True: 1\n',
      'a: [a,]\n',
      'a: b: c\n',
      '---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      ' a: 1\n',
      'a:\n\tb: 1\n',
      'name: t\xfcn\n',
      'a: x#y\n',
    ]) {
      expect(loadPlainYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});
