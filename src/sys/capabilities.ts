import { readFileSync } from 'node:fs';

export const CAP_NET_ADMIN = 12;
export const CAP_SYS_ADMIN = 21;

/** Whether this process has the capability in its effective set, from /proc/self/status. */
export function hasCapability(bit: number): boolean {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex !== undefined && ((BigInt(`0x${hex}`) >> BigInt(bit)) & 1n) === 1n;
  } catch {
    return false;
  }
}
