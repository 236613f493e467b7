/**
 * Test oracle: a straightforward split-and-regex canonicaliser following
 * glibc's inet_ntop (RFC 5952 plus dotted IPv4 for ::a.b.c.d and
 * ::ffff:a.b.c.d), which is what `ip` prints. The product code uses the
 * one-pass parser in src/net/ip-text.ts; a unit test compares the two over a
 * generated corpus.
 */
import { invalidInput } from '../../../src/errors.js';

export type AddressFamily = 4 | 6;

export function canonicalCidr(addr: string, prefix: number): string {
  const family = addr.includes(':') ? 6 : 4;
  const max = family === 4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw invalidInput(`address '${addr}/${prefix}' has an invalid prefix length: use 0..${max} for IPv${family}`);
  }
  const text = family === 4 ? formatIpv4(parseIpv4(addr)) : formatIpv6(parseIpv6(addr));
  return `${text}/${prefix}`;
}

/** Parses `ADDR/PREFIX` text; a missing prefix means a host address. */
export function canonicalCidrText(cidr: string): string {
  const slash = cidr.indexOf('/');
  if (slash < 0) return canonicalCidr(cidr, cidr.includes(':') ? 128 : 32);
  const prefixText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) {
    throw invalidInput(`address '${cidr}' has an invalid prefix length '${prefixText}': write ADDRESS/PREFIX, e.g. 172.31.0.1/24`);
  }
  return canonicalCidr(cidr.slice(0, slash), Number(prefixText));
}

/** Sorts IPv4 before IPv6, then numerically, so the order is stable and readable. */
export function compareCidr(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** True for IPv6 addresses in fe80::/10, which the kernel makes by itself once a link is up. */
export function isIpv6LinkLocal(addr: string): boolean {
  if (!addr.includes(':')) return false;
  const first = parseIpv6(addr)[0] ?? 0;
  return (first & 0xffc0) === 0xfe80;
}

function parseIpv4(text: string): number[] {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalidInput(`'${text}' is not an IPv4 address: write four numbers 0..255 separated by dots`);
  }
  return parts.map(Number);
}

function formatIpv4(octets: readonly number[]): string {
  return octets.join('.');
}

/** Returns the eight 16-bit groups. */
function parseIpv6(text: string): number[] {
  const bad = () => invalidInput(`'${text}' is not an IPv6 address: write hex groups separated by ':', e.g. fd00::1`);
  let body = text;
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(body.slice(lastColon + 1));
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    body = body.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) throw bad();
  const toGroups = (s: string): number[] => {
    if (s === '') return [];
    return s.split(':').map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
      return parseInt(g, 16);
    });
  };
  const head = toGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (explicit > 7) throw bad();
    return [...head, ...new Array<number>(8 - explicit).fill(0), ...rest, ...tail];
  }
  if (explicit !== 8) throw bad();
  return [...head, ...tail];
}

function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  const embedsIpv4 = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff));
  if (embedsIpv4) {
    const g6 = groups[6] ?? 0;
    const g7 = groups[7] ?? 0;
    const v4 = formatIpv4([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]);
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

function sortKey(cidr: string): string {
  const slash = cidr.indexOf('/');
  const addr = slash < 0 ? cidr : cidr.slice(0, slash);
  const prefix = slash < 0 ? '' : cidr.slice(slash + 1);
  const groups = addr.includes(':')
    ? ['6', ...parseIpv6(addr).map((g) => g.toString(16).padStart(4, '0'))]
    : ['4', ...parseIpv4(addr).map((o) => o.toString(16).padStart(2, '0'))];
  return `${groups.join('')}/${prefix.padStart(3, '0')}`;
}
