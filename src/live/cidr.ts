/**
 * Canonical interface addresses on the live side. The same parser as the
 * spec side (src/net/ip-text.ts), so the spec's `FD00:0::1/64` and the
 * kernel's `fd00::1/64` cannot end up spelled differently and read as drift.
 */
import { backendError } from '../errors.js';
import { interfaceAddressSortKey, interfaceAddressText, parseIp, splitPeer } from '../net/ip-text.js';

function parseOrFail(addr: string) {
  const ip = parseIp(addr);
  // Live addresses come from the kernel through `ip -j`: a bad one means unreadable output.
  if (!ip) throw backendError(`'ip -j addr show' reported '${addr}', which is not an IPv4 or IPv6 address`);
  return ip;
}

/** `A/N`, or `A peer P/N` for a point-to-point address (the spec's text for the same address). */
export function canonicalCidr(addr: string, prefix: number, peer?: string): string {
  const ip = parseOrFail(addr);
  const max = ip.family === 4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw backendError(`'ip -j addr show' reported '${addr}/${prefix}', whose prefix length is not 0..${max}`);
  }
  return interfaceAddressText(ip, prefix, peer === undefined ? undefined : parseOrFail(peer));
}

/** IPv4 before IPv6, then numerically, then by prefix: the order DeviceSpec.addresses uses too. */
export function compareCidr(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** True for IPv6 addresses in fe80::/10, which the kernel makes by itself once a link is up. */
export function isIpv6LinkLocal(addr: string): boolean {
  const ip = parseIp(addr);
  return ip !== undefined && ip.family === 6 && /^fe[89ab]/.test(ip.hex);
}

function sortKey(cidr: string): string {
  const parts = splitPeer(cidr);
  const withPrefix = parts === undefined ? cidr : parts.peer;
  const slash = withPrefix.indexOf('/');
  const prefix = Number(slash < 0 ? 0 : withPrefix.slice(slash + 1));
  const first = parseOrFail(slash < 0 ? withPrefix : withPrefix.slice(0, slash));
  return parts === undefined ? interfaceAddressSortKey(first, prefix) : interfaceAddressSortKey(parseOrFail(parts.local), prefix, first);
}
