import { canonicalCidr, compareCidr, isIpv6LinkLocal } from './cidr.js';
import { isObject, parseIpJson } from './parse-json.js';

export const ADDR_COMMAND = 'ip -j addr show';

/**
 * Canonical, sorted addresses per ifindex from an `ip -j addr show` dump.
 * Keyed by ifindex, not name, so a rename between the two dumps cannot
 * attach one device's addresses to another.
 */
export function parseAddrs(json: string): Map<number, string[]> {
  return addrsOf(parseIpJson(json, ADDR_COMMAND));
}

/** The same from a parsed dump whose entries carry `addr_info` (`ip -j addr show`, with or without -d). */
export function addrsOf(entries: readonly unknown[]): Map<number, string[]> {
  const byIndex = new Map<number, string[]>();
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.ifindex !== 'number') continue;
    const infos = Array.isArray(entry.addr_info) ? entry.addr_info : [];
    const cidrs: string[] = [];
    for (const info of infos) {
      if (!isObject(info) || typeof info.local !== 'string' || typeof info.prefixlen !== 'number') continue;
      if (isKernelLinkLocal(info.family, info.scope, info.local)) continue;
      // A point-to-point address: ip prints the peer as `address` (openvpn --ifconfig A B, ip addr add A peer B).
      const peer = typeof info.address === 'string' && info.address !== info.local ? info.address : undefined;
      cidrs.push(canonicalCidr(info.local, info.prefixlen, peer));
    }
    byIndex.set(entry.ifindex, [...new Set(cidrs)].sort(compareCidr));
  }
  return byIndex;
}

/** The kernel adds these by itself when a link comes up; tunform never manages them. */
function isKernelLinkLocal(family: unknown, scope: unknown, local: string): boolean {
  return family === 'inet6' && scope === 'link' && isIpv6LinkLocal(local);
}
