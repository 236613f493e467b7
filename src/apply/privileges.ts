import { readFileSync } from 'node:fs';
import { permissionError } from '../errors.js';

const CAP_NET_ADMIN = 12n;

/** Whether this process has CAP_NET_ADMIN in its effective set (what tun ioctls and rtnetlink writes check). */
export function hasNetAdmin(): boolean {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    return hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_NET_ADMIN) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Fails before any change when the run would need privileges it does not have. */
export function requireNetAdmin(what: string): void {
  if (!hasNetAdmin()) {
    throw permissionError(`${what} needs CAP_NET_ADMIN (run as root); nothing was changed`, [
      'reading (plan, drift, show) works without privileges',
    ]);
  }
}
