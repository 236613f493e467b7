import { isIP } from 'node:net';
import { describe, expect, test } from 'vitest';
import { canonicalCidr } from './support/reference-cidr.js';
import { parseIp } from '../../src/net/ip-text.js';

/** Deterministic pseudo-random addresses with zero runs, mixed case, and IPv4 tails. */
function corpus(): string[] {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const out: string[] = ['::', '::1', '1::', '::ffff:1.2.3.4', '::1.2.3.4', '::0.0.0.2', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', 'fe80::1', '0.0.0.0', '255.255.255.255'];
  for (let k = 0; k < 3000; k++) {
    const words = Array.from({ length: 8 }, () => (rnd(3) === 0 ? 0 : rnd(3) === 0 ? 0xffff : rnd(65536)));
    if (rnd(4) === 0) words.fill(0, 0, 5);
    if (rnd(8) === 0) words[5] = 0xffff;
    const full = words.map((w) => w.toString(16)).map((h) => (rnd(2) ? h.toUpperCase() : h));
    if (rnd(3) === 0) {
      const start = rnd(8);
      const len = 1 + rnd(8 - start);
      out.push(`${full.slice(0, start).join(':')}::${full.slice(start + len).join(':')}`.replace(/^:::/, '::'));
    } else {
      out.push(full.join(':'));
    }
    out.push(`${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`);
  }
  return out;
}

describe('hand-written IP parser', () => {
  test('GIVEN thousands of addresses WHEN canonicalised THEN the text equals the live reader form', () => {
    const mismatches = corpus()
      .filter((a) => isIP(a) !== 0)
      .filter((a) => parseIp(a)?.text !== canonicalCidr(a, 0).slice(0, -2));
    expect(mismatches).toEqual([]);
  });

  test.each([
    '', ':', ':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', 'g::1', '1:2:3:4:5:6:7', ':1::', '1::2:',
    '01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4:1', '::1.2.3', '::1.2.3.04', '1.2.3.4::', ' 1.2.3.4',
  ])('GIVEN %j WHEN parsed THEN it is rejected, as node isIP does', (text) => {
    expect(isIP(text)).toBe(0);
    expect(parseIp(text)).toBeUndefined();
  });

  test('GIVEN the corpus WHEN validated THEN validity agrees with node isIP', () => {
    const disagreements = corpus()
      .flatMap((a) => [a, a.replace(/:/, ':::'), `${a}:`, a.replace(/\./, '..')])
      .filter((a) => (isIP(a) !== 0) !== (parseIp(a) !== undefined));
    expect(disagreements).toEqual([]);
  });
});
