/**
 * One device-name rule: the spec validator (src/spec/schema.ts) and the
 * helper (helper/src/names.c) must give every name the same verdict, or a
 * spec that validates and plans would fail in the helper at apply.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deviceNameSchema } from '../../src/spec/schema.js';
import { helperPath } from '../../src/sys/paths.js';
import { isRoot } from '../support/netns.js';

/** Characters that matter to either side, plus ordinary ones; no newline (it ends an op line). */
const ALPHABET = [...'abcz09-_.', '/', ':', '%', '*', '?', '[', ']', '\u0001', '\u001f', '\u007f', '\u0085', '\u009f', '\u00a0', 'é', '€', '𝄞', '\u200b'];

/** Edge cases, then names drawn from ALPHABET with a seeded generator (the same names every run). */
function names(): string[] {
  const fixed = ['tun0', 'vm-1', 'tun%d', 'vm*', 'a?', 'x[1]', 'a/b', 'a:b', '.', '..', 'all', 'default', 'all0', 'defaults', 'x'.repeat(15), 'x'.repeat(16), 'é'.repeat(7), 'é'.repeat(8), 'tab\there', 'sp ace'];
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const random = Array.from({ length: 400 }, () => Array.from({ length: 1 + next(17) }, () => ALPHABET[next(ALPHABET.length)]!).join(''));
  return [...fixed, ...random];
}

describe('the device-name rule', () => {
  // check runs nothing; as root (CI) it answers allow for every valid name, so the verdict is the name rule's alone.
  it.skipIf(!isRoot() && process.env.CI !== 'true')('GIVEN 420 generated names WHEN the spec validator and tunform-helper check judge them THEN every verdict is the same', () => {
    const all = names();
    // WHEN the helper checks a create of each
    const r = spawnSync(helperPath(), ['check'], { input: all.map((n) => `create ${n} tun -`).join('\n') + '\n', encoding: 'utf8' });
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(all.length);
    // THEN each name the spec accepts the helper allows, and each it refuses the helper refuses
    const differ = all
      .map((name, i) => ({ name, spec: deviceNameSchema.safeParse(name).success, helper: lines[i]!.startsWith('allow ') }))
      .filter((v) => v.spec !== v.helper)
      .map((v) => `${JSON.stringify(v.name)}: spec ${v.spec ? 'accepts' : 'refuses'}, helper ${v.helper ? 'allows' : 'refuses'}`);
    expect(differ).toEqual([]);
    // AND both sides really do refuse some and accept some
    expect(lines.some((l) => l.startsWith('allow '))).toBe(true);
    expect(lines.some((l) => l.startsWith('error '))).toBe(true);
  });
});
