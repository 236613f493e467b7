import { CAP_NET_ADMIN, hasCapability } from '../sys/capabilities.js';
import { permissionError } from '../errors.js';
import { helperPath, isSetuidRoot } from '../sys/paths.js';

/** Whether this process has CAP_NET_ADMIN in its effective set (what tun ioctls and rtnetlink writes check). */
export function hasNetAdmin(): boolean {
  return hasCapability(CAP_NET_ADMIN);
}

/**
 * Fails before any change when the run would need privileges it does not
 * have: CAP_NET_ADMIN, or a setuid-root helper (which then authorises every
 * op against its ACL and refuses, per op, what the user may not do).
 */
export function requireNetAdmin(what: string): void {
  if (hasNetAdmin() || isSetuidRoot(helperPath())) return;
  throw permissionError(`${what} needs CAP_NET_ADMIN (run as root) or the setuid helper; nothing was changed`, [
    'reading (plan, drift, show) works without privileges',
    'an administrator can run `tunform install-helper` and delegate devices in /etc/tunform/helper.acl (docs/helper-acl.md)',
  ]);
}
