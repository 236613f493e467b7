/**
 * Validation of interface addresses written in a spec. Two spellings of one
 * address must compare equal (`FD00:0::1/64` is `fd00::1/64`), and desired
 * and live addresses must share one text form, or a spelling difference
 * would show up as a permanent address change: both sides use
 * src/net/ip-text.ts.
 */
import { interfaceAddressSortKey, interfaceAddressText, parseIp, splitPeer, type ParsedIp } from '../net/ip-text.js';

export interface Cidr {
  /** Canonical local address without prefix: the identity for duplicate checks. */
  readonly address: string;
  /** The point-to-point peer (`A peer P/N`), canonical, without prefix. */
  readonly peer?: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
  /** Canonical `address/prefixLength` (`fd00::1/64` for `FD00:0::1/64`), or `address peer peer/prefixLength`. */
  readonly cidr: string;
  /** Orders like src/live/cidr.ts compareCidr (IPv4 first, then numeric, then prefix), computed once. */
  readonly sortKey: string;
}

/** Either the parsed address or why it is not one (completes "'addresses' ("x") …"). */
export type CidrResult = { readonly ok: true; readonly value: Cidr } | { readonly ok: false; readonly reason: string };

const EXAMPLES = 'e.g. 172.31.0.1/24 or fd00::1/64';

/**
 * The same strings are checked by the schema and again by the duplicate
 * checks, so results are memoised. Bounded, because a long-lived process
 * (a cdktf app) may see many.
 */
const memo = new Map<string, CidrResult>();
const MEMO_LIMIT = 50_000;

export function parseCidr(text: string): CidrResult {
  let result = memo.get(text);
  if (result === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    result = parseUncached(text);
    memo.set(text, result);
  }
  return result;
}

function parseUncached(text: string): CidrResult {
  const parts = splitPeer(text);
  if (parts === undefined) {
    const plain = parseWithPrefix(text);
    if (!plain.ok) return plain;
    return { ok: true, value: cidrOf(plain.ip, plain.prefixLength) };
  }
  // `A peer P/N`: the prefix length is the peer's, as in `ip addr add A peer P/N`.
  if (parts.local.includes('/')) {
    return { ok: false, reason: `gives the local address a prefix length; in 'LOCAL peer PEER/PREFIX' the prefix belongs to the peer, e.g. 10.200.0.1 peer 10.200.0.2/32` };
  }
  const local = checkHost(parts.local, parseIp(parts.local));
  if (!local.ok) return local;
  const peer = parseWithPrefix(parts.peer);
  if (!peer.ok) return { ok: false, reason: `has peer '${parts.peer}', which ${peer.reason}` };
  if (peer.ip.family !== local.ip.family) return { ok: false, reason: `mixes IPv${local.ip.family} and IPv${peer.ip.family}; the local address and its peer must be of one family` };
  return { ok: true, value: cidrOf(local.ip, peer.prefixLength, peer.ip) };
}

type Checked<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: string };

/** `ADDRESS/PREFIX`, a host address the kernel accepts. */
function parseWithPrefix(text: string): Checked<{ readonly ip: ParsedIp; readonly prefixLength: number }> {
  const slash = text.lastIndexOf('/');
  const addressPart = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIp(addressPart);
  if (ip && slash === -1) {
    // A bare address could mean /32, /128 or a forgotten /24; guessing would hide the mistake.
    return { ok: false, reason: `has no prefix length; write ADDRESS/PREFIX, ${EXAMPLES}` };
  }
  const host = checkHost(addressPart, ip);
  if (!host.ok) return host;
  const prefixText = text.slice(slash + 1);
  const max = host.ip.family === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return { ok: false, reason: `has prefix length '${prefixText}'; IPv${host.ip.family} prefix lengths must be 0 to ${max}` };
  }
  return { ok: true, ip: host.ip, prefixLength: Number(prefixText) };
}

/** An address (no prefix) that may be put on a device. */
function checkHost(text: string, ip: ParsedIp | undefined): Checked<{ readonly ip: ParsedIp }> {
  if (text.includes('%')) return { ok: false, reason: `has a zone index; write the address without '%…'` };
  if (!ip) return { ok: false, reason: `is not an IPv4 or IPv6 address with a prefix length, ${EXAMPLES}` };
  // The kernel makes and owns fe80::/10 addresses; live state leaves them out,
  // so a declared one would read as permanent drift.
  if (ip.family === 6 && /^fe[89ab]/.test(ip.hex)) {
    return { ok: false, reason: `is an IPv6 link-local address (fe80::/10); the kernel assigns those itself, declare global or ULA addresses only` };
  }
  const refused = refusedByKernel(ip.family, ip.hex);
  return refused === undefined ? { ok: true, ip } : { ok: false, reason: refused };
}

function cidrOf(local: ParsedIp, prefixLength: number, peer?: ParsedIp): Cidr {
  return {
    address: local.text,
    ...(peer === undefined ? {} : { peer: peer.text }),
    prefixLength,
    family: local.family,
    cidr: interfaceAddressText(local, prefixLength, peer),
    sortKey: interfaceAddressSortKey(local, prefixLength, peer),
  };
}

const V6_UNSPECIFIED = '0'.repeat(32);
const V6_LOOPBACK = '0'.repeat(31) + '1';

/**
 * Addresses the kernel refuses on a tun/tap device (IPv6 ::, ::1, multicast)
 * or takes with exit 0 and never adds (IPv4 0.0.0.0): each would fail, or
 * never converge, mid-apply after its device was made. Checked on this
 * machine's kernel (docs/spec.md).
 */
function refusedByKernel(family: 4 | 6, hex: string): string | undefined {
  if (family === 4 && hex === '00000000') return 'is the unspecified address 0.0.0.0; the kernel accepts it and adds nothing, so declare a host address';
  if (family === 4) return undefined;
  if (hex === V6_UNSPECIFIED) return 'is the unspecified IPv6 address (::); the kernel refuses it, so declare a host address';
  if (hex === V6_LOOPBACK) return 'is the IPv6 loopback address (::1); the kernel refuses it on any device but lo';
  if (hex.startsWith('ff')) return 'is an IPv6 multicast address (ff00::/8); the kernel refuses those as interface addresses';
  return undefined;
}

/** IPv4 before IPv6, then numerically: the order DeviceSpec.addresses and LiveDevice.addresses share. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}
