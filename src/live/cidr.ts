/**
 * Canonical interface addresses on the live side. The same parser as the
 * spec side (src/net/ip-text.ts), so the spec's `FD00:0::1/64` and the
 * kernel's `fd00::1/64` cannot end up spelled differently and read as drift.
 */
import { backendError } from '../errors.js';
import { parseIp } from '../net/ip-text.js';

function parseOrFail(addr: string) {
  const ip = parseIp(addr);
  // Live addresses come from the kernel through `ip -j`: a bad one means unreadable output.
  if (!ip) throw backendError(`'ip -j addr show' reported '${addr}', which is not an IPv4 or IPv6 address`);
  return ip;
}

export function canonicalCidr(addr: string, prefix: number): string {
  const ip = parseOrFail(addr);
  const max = ip.family === 4 ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw backendError(`'ip -j addr show' reported '${addr}/${prefix}', whose prefix length is not 0..${max}`);
  }
  return `${ip.text}/${prefix}`;
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
  const slash = cidr.indexOf('/');
  const ip = parseOrFail(slash < 0 ? cidr : cidr.slice(0, slash));
  return `${ip.family}${ip.hex}/${(slash < 0 ? '' : cidr.slice(slash + 1)).padStart(3, '0')}`;
}
