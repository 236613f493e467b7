/**
 * Property test of the helper's ACL parser, op-line parser and authorize(),
 * driving `tunform-helper acl-check FILE` (the same code the setuid mode runs,
 * without running any op). A seeded generator (no dependency; the seed is in
 * every failure message, TUNFORM_FUZZ_SEED reproduces a run) makes random ACL
 * files and random op lines, valid and hostile. Properties:
 *   - the helper never dies by a signal and always exits 0 (valid file) or 1 (invalid file, with FILE:LINE:);
 *   - every query gets exactly one answer line;
 *   - nothing with an invalid device name is ever allowed;
 *   - deny wins: an allowed query matches no deny rule (checked by a TS model);
 *   - deny by default: an allowed query matches at least one allow rule.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/sys/paths.js';
import { rootOnlyTempDir } from '../support/setuid.js';
import { rng } from '../support/rng.js';

const BIN = join(packageRoot(), 'helper', 'build', 'tunform-helper');
const ROUNDS = Number(process.env.TUNFORM_FUZZ_ROUNDS ?? 150);
const SEED = Number(process.env.TUNFORM_FUZZ_SEED ?? Date.now() % 1_000_000);

// The helper refuses an ACL below a directory others can write (such as /tmp).
const dir = rootOnlyTempDir('tunform-fuzz-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The helper's device-name rule (names.c), as the model sees it. */
const validName = (s: string): boolean =>
  Buffer.byteLength(s) >= 1 && Buffer.byteLength(s) <= 15 && !/[\x00-\x20\x7f/:%*?[\]]/.test(s) && s !== '.' && s !== '..';

interface Rule {
  allow: boolean;
  uid: number | '*';
  dev: string; // literal, or prefix + '*'
  netns?: string;
}

const matchPat = (pat: string, s: string): boolean => (pat.endsWith('*') ? s.startsWith(pat.slice(0, -1)) : s === pat);

function ruleMatches(r: Rule, uid: number, name: string, netns: string | undefined): boolean {
  if (r.uid !== '*' && r.uid !== uid) return false;
  if (!matchPat(r.dev, name)) return false;
  if (r.netns === undefined) return true;
  if (r.netns === '-') return netns === undefined;
  return netns !== undefined && matchPat(r.netns, netns);
}

function gen(r: () => number) {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const names = ['vm-1', 'vm-22', 'tap0', 'a', 'vm-', 'x'.repeat(15), 'x'.repeat(16), 'vm-0123456789abcdef', 'vm/1', '..', '.', 'vm*', 'vm?', 'v[1]', 'vm:1', 'vm%d', 'ü-1', 'vm-\x01', 'tun0'];
  const goodPats = ['vm-*', 'vm-1', '*', 'tap*', 'vm-2*', 'tun0', 'a', 'vm-22'];
  const badPats = ['vm-**', 'v*m', '/*', '..', 'x'.repeat(16), '', 'vm?', '*x'];
  const pickPat = () => (r() < 0.1 ? pick(badPats) : pick(goodPats));
  const uids = [0, 1000, 65534, 4294967294];
  const rules: Rule[] = [];
  const lines: string[] = [];
  let valid = true;
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const roll = r();
    if (roll < 0.04) {
      // hostile line: random bytes from a hostile alphabet
      const alphabet = ' \t#*/allowdenyuserdevices\x00\x7fü-0123456789';
      const len = Math.floor(r() * 40);
      let l = '';
      for (let j = 0; j < len; j++) l += alphabet[Math.floor(r() * alphabet.length)];
      lines.push(l);
      valid = false; // may still be blank or a comment: the assertion allows both outcomes for these files
      continue;
    }
    if (roll < 0.15) {
      lines.push('# comment ' + pickPat());
      continue;
    }
    const allow = r() < 0.6;
    const uid: number | '*' = r() < 0.15 ? '*' : pick(uids);
    const dev = pickPat();
    const netns = r() < 0.3 ? pick(['-', 'tf-*', 'lab', 'tf-a', 'tf-**']) : undefined;
    const opts: string[] = [];
    if (netns !== undefined) opts.push(`netns ${netns}`);
    if (allow && r() < 0.2) opts.push('owner any');
    lines.push(`${allow ? 'allow' : 'deny'} user ${uid} devices ${dev} ${opts.join(' ')}`.trim());
    const devOk = dev === '*' || (dev.endsWith('*') ? validName(dev.slice(0, -1)) && !dev.slice(0, -1).includes('*') : validName(dev));
    if (!devOk || netns === 'tf-**') valid = false;
    rules.push({ allow, uid, dev, ...(netns !== undefined ? { netns } : {}) });
  }
  const queries: { uid: number; netns: string | undefined; name: string; line: string }[] = [];
  for (let i = 0; i < 12; i++) {
    const uid = pick(uids);
    const netns = r() < 0.5 ? undefined : pick(['tf-a', 'lab', 'tf-b']);
    const name = r() < 0.6 ? pick(['vm-1', 'vm-22', 'vm-2', 'tap0', 'tun0', 'a']) : pick(names);
    const op = pick([`create ${name} tun -`, `create ${name} tap mq,pi user=${uid}`, `delete ${name} tun -`, `unlink ${name}`, `mtu ${name} 1500`, `addr-add ${name} 10.0.0.1/24`, `addr-del ${name} fd00::1/64`, `up ${name}`, `alias ${name} tunform@1`, `mtu ${name} 99999`, `bogus ${name}`, `set ${name} tun - group=-1`]);
    queries.push({ uid, netns, name, line: `${uid} ${uid} ${netns ?? '-'} ${op}` });
  }
  return { text: lines.join('\n') + '\n', rules, valid, queries };
}

describe('acl-check property test', () => {
  it(`GIVEN ${ROUNDS} random ACL files and op lines (seed ${SEED}) WHEN the helper checks them THEN it never crashes, never allows an invalid name, and deny wins`, () => {
    const r = rng(SEED);
    let allowed = 0;
    let denied = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const g = gen(r);
      const file = join(dir, `acl-${round}`);
      writeFileSync(file, g.text, { mode: 0o644 });
      const res = spawnSync(BIN, ['acl-check', file], { input: g.queries.map((q) => q.line).join('\n') + '\n', encoding: 'utf8' });
      const ctx = `seed ${SEED} round ${round}\n--- acl ---\n${g.text}--- stderr ---\n${res.stderr}`;
      expect(res.signal, ctx).toBeNull();
      expect([0, 1], ctx).toContain(res.status);
      if (res.status === 1) {
        expect(res.stderr, ctx).toMatch(new RegExp(`^tunform-helper: ${file}:\\d+: `));
        expect(res.stdout, ctx).toBe('');
        continue;
      }
      expect(res.stderr, ctx).toBe('');
      const answers = res.stdout.split('\n').filter(Boolean);
      expect(answers, ctx).toHaveLength(g.queries.length);
      answers.forEach((a, i) => {
        const q = g.queries[i]!;
        const qctx = `${ctx}\n--- query ---\n${q.line}\n--- answer ---\n${a}`;
        expect(a, qctx).toMatch(/^(allow|deny|error) /);
        if (a.startsWith('deny ')) denied++;
        if (!a.startsWith('allow ')) return;
        allowed++;
        expect(validName(q.name), qctx).toBe(true);
        if (q.uid === 0) return; // root is never restricted
        // The file parsed, so every generated rule is in it (hostile lines that parsed add none: they are blank or comments).
        expect(g.rules.some((rule) => !rule.allow && ruleMatches(rule, q.uid, q.name, q.netns)), `${qctx}\ndeny must win`).toBe(false);
        expect(g.rules.some((rule) => rule.allow && ruleMatches(rule, q.uid, q.name, q.netns)), `${qctx}\ndeny by default`).toBe(true);
      });
    }
    // The properties were exercised, not vacuously true.
    expect(allowed, `seed ${SEED}`).toBeGreaterThan(ROUNDS / 10);
    expect(denied, `seed ${SEED}`).toBeGreaterThan(ROUNDS / 10);
  }, 120_000);

  it('GIVEN a rule set WHEN a name would match only once truncated THEN it is an error, not an allow', () => {
    const file = join(dir, 'trunc');
    writeFileSync(file, 'allow user 1000 devices vm-0123456789a\n', { mode: 0o644 });
    const res = spawnSync(BIN, ['acl-check', file], { input: '1000 1000 - create vm-0123456789abcdef tun -\n1000 1000 - create vm-0123456789a tun -\n', encoding: 'utf8' });
    expect(res.stdout).toBe(
      "error create vm-0123456789abcdef: invalid device name 'vm-0123456789abcdef': longer than 15 bytes (names are never truncated)\nallow create vm-0123456789a\n",
    );
  });
});
