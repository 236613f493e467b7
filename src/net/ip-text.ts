/**
 * A hand-written IP address parser and formatter. It exists for speed: a
 * 1000-device spec has thousands of addresses and is parsed once per command
 * in a cold process, where node's isIP() (a large regex) plus a split/regex
 * canonicaliser cost tens of milliseconds. One pass over the characters does
 * validation, parsing and the canonical text together.
 *
 * The text form is glibc inet_ntop's (RFC 5952 plus dotted IPv4 for
 * ::a.b.c.d and ::ffff:a.b.c.d), which is what `ip` prints. The spec and the
 * live reader both use this one parser; a unit test checks it against a
 * plain reference implementation over a generated corpus.
 */

export interface ParsedIp {
  readonly family: 4 | 6;
  /** Canonical text. */
  readonly text: string;
  /** Fixed-width hex digits of the address bytes, for ordering. */
  readonly hex: string;
}

/** Dotted decimal without leading zeros (as node's isIPv4), or -1. */
function ipv4Value(s: string, from: number, to: number): number {
  let value = 0;
  let octets = 0;
  let i = from;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && s.charCodeAt(start) === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= to || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Eight words, or undefined when the text is not an IPv6 address. */
function ipv6Words(s: string): number[] | undefined {
  const head: number[] = [];
  const tail: number[] = [];
  let cur = head;
  let gap = false;
  let i = 0;
  const n = s.length;
  if (n < 2) return undefined;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return undefined;
    gap = true;
    cur = tail;
    i = 2;
    if (i === n) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  for (;;) {
    // One group: hex digits, or a dotted IPv4 tail that ends the address.
    const start = i;
    let word = 0;
    while (i < n && i - start < 5) {
      const d = hexDigit(s.charCodeAt(i));
      if (d < 0) break;
      word = word * 16 + d;
      i++;
    }
    if (i < n && s.charCodeAt(i) === 46) {
      const v4 = ipv4Value(s, start, n);
      if (v4 < 0) return undefined;
      cur.push(Math.floor(v4 / 65536), v4 % 65536);
      i = n;
      break;
    }
    const len = i - start;
    if (len === 0 || len > 4) return undefined;
    cur.push(word);
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gap) return undefined;
      gap = true;
      cur = tail;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return undefined;
    }
  }
  const explicit = head.length + tail.length;
  if (gap ? explicit > 7 : explicit !== 8) return undefined;
  if (!gap) return head;
  const words = head.slice();
  for (let k = explicit; k < 8; k++) words.push(0);
  for (const w of tail) words.push(w);
  return words;
}

function formatIpv6(words: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
    const hi = words[6] as number;
    const lo = words[7] as number;
    const v4 = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += (words[i] as number).toString(16);
  }
  return out;
}

const hex4 = (w: number) => w.toString(16).padStart(4, '0');

/** Parses an IPv4 or IPv6 address (no prefix, no zone); undefined when it is neither. */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const words = ipv6Words(text);
    if (!words) return undefined;
    return { family: 6, text: formatIpv6(words), hex: words.map(hex4).join('') };
  }
  const v4 = ipv4Value(text, 0, text.length);
  if (v4 < 0) return undefined;
  return { family: 4, text, hex: v4.toString(16).padStart(8, '0') };
}

/**
 * A point-to-point address in the one vocabulary: `LOCAL peer PEER/PREFIX`,
 * as `ip addr add` takes it (the prefix length belongs to the peer). The
 * spec, the live reader and `ip -batch` all use this text.
 */
export const PEER_WORD = 'peer';

/** The canonical text of an interface address: `A/N`, or `A peer P/N` when it has a peer. */
export function interfaceAddressText(local: ParsedIp, prefixLength: number, peer?: ParsedIp): string {
  return peer === undefined ? `${local.text}/${prefixLength}` : `${local.text} ${PEER_WORD} ${peer.text}/${prefixLength}`;
}

/** Orders IPv4 before IPv6, then by local address, prefix length and peer; spec and live sort with it. */
export function interfaceAddressSortKey(local: ParsedIp, prefixLength: number, peer?: ParsedIp): string {
  return `${local.family}${local.hex}/${String(prefixLength).padStart(3, '0')}${peer === undefined ? '' : `>${peer.hex}`}`;
}

/** Splits `A peer P/N` into its local and peer parts; undefined when the text has no peer. */
export function splitPeer(text: string): { readonly local: string; readonly peer: string } | undefined {
  const m = /^(\S+)\s+peer\s+(\S+)$/.exec(text.trim());
  return m === null ? undefined : { local: m[1]!, peer: m[2]! };
}
