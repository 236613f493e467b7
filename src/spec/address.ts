/**
 * Validation of interface addresses written in a spec. The canonical text
 * form comes from src/live/cidr.ts on purpose: desired and live addresses must
 * go through one canonicaliser, or a spelling difference would show up as a
 * permanent address change. That module is pure, so src/spec stays pure.
 */
import { isIP } from 'node:net';
import { canonicalCidr, compareCidr } from '../live/cidr.js';

export interface Cidr {
  /** Canonical address without prefix: the identity for duplicate checks. */
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
  /** Canonical `address/prefixLength`, e.g. `fd00::1/64` for `FD00:0::1/64`. */
  readonly cidr: string;
}

/** Either the parsed address or why it is not one (completes "'addresses' ("x") …"). */
export type CidrResult = { readonly ok: true; readonly value: Cidr } | { readonly ok: false; readonly reason: string };

const EXAMPLES = 'e.g. 172.31.0.1/24 or fd00::1/64';

export function parseCidr(text: string): CidrResult {
  const slash = text.lastIndexOf('/');
  const addressPart = slash === -1 ? text : text.slice(0, slash);
  if (addressPart.includes('%')) return { ok: false, reason: `has a zone index; write the address without '%…'` };
  const family = isIP(addressPart);
  if (family !== 4 && family !== 6) return { ok: false, reason: `is not an IPv4 or IPv6 address with a prefix length, ${EXAMPLES}` };
  // A bare address could mean /32, /128 or a forgotten /24; guessing would hide the mistake.
  if (slash === -1) return { ok: false, reason: `has no prefix length; write ADDRESS/PREFIX, ${EXAMPLES}` };
  const prefixText = text.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return { ok: false, reason: `has prefix length '${prefixText}'; IPv${family} prefix lengths must be 0 to ${max}` };
  }
  const prefixLength = Number(prefixText);
  const cidr = canonicalCidr(addressPart, prefixLength);
  return { ok: true, value: { address: cidr.slice(0, cidr.lastIndexOf('/')), prefixLength, family, cidr } };
}

/** IPv4 before IPv6, then numerically: the order DeviceSpec.addresses and LiveDevice.addresses share. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  return compareCidr(a.cidr, b.cidr);
}
