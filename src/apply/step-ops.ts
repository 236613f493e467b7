/**
 * How each step is spelled for the program that runs it: an op line for the
 * helper, a request line for the holder, a line for `ip -batch`. One place,
 * so exec, the setuid path and the pre-authorisation check cannot disagree.
 */
import type { HelperOp } from './helper-client.js';
import { holdLine, releaseLine } from './holder-start.js';
import type { HolderStep, NetlinkStep, Step, TunStep } from './steps.js';

/** The helper op for a tun step, or a netlink step on the setuid path. */
export function helperOpOf(s: TunStep | NetlinkStep): HelperOp {
  if (s.phase === 'tun') {
    if (s.op === 'unlink') return { op: 'unlink', name: s.name };
    const base = { name: s.name, ...s.flags, ...(s.user !== undefined ? { user: s.user } : {}), ...(s.group !== undefined ? { group: s.group } : {}) };
    return s.op === 'create'
      ? { op: 'create', ...base, ...(s.alias !== undefined ? { alias: s.alias } : {}) }
      : { op: 'set', ...base, ...(s.persist ? { persist: true as const } : {}) };
  }
  switch (s.op) {
    case 'up':
    case 'down':
      return { op: s.op, name: s.name };
    case 'mtu':
      return { op: 'mtu', name: s.name, mtu: s.mtu };
    case 'alias':
      return { op: 'alias', name: s.name, alias: s.alias };
    case 'address-add':
      return { op: 'addr-add', name: s.name, cidr: s.cidr };
    case 'address-del':
      return { op: 'addr-del', name: s.name, cidr: s.cidr };
  }
}

export function holderLineOf(s: HolderStep): string {
  if (s.op === 'release') return releaseLine(s.name);
  if (s.op === 'hold') return holdLine(s.name, s.flags);
  return [`set ${s.name}`, ...(s.user !== undefined ? [`user=${s.user}`] : []), ...(s.group !== undefined ? [`group=${s.group}`] : []), ...(s.persist ? ['persist=1'] : [])].join(' ');
}

/** The exec op that asks the same of the ACL as a holder `set` (the helper's check knows exec ops). */
export function holderSetAsHelperOp(s: Extract<HolderStep, { op: 'set' }>): HelperOp {
  return { op: 'set', name: s.name, ...s.flags, ...(s.user !== undefined ? { user: s.user } : {}), ...(s.group !== undefined ? { group: s.group } : {}), ...(s.persist ? { persist: true as const } : {}) };
}

/** The `ip -batch -` line. Names were validated (no whitespace) and values are canonical. */
export function ipBatchLineOf(s: NetlinkStep): string {
  switch (s.op) {
    case 'up':
    case 'down':
      return `link set dev ${s.name} ${s.op}`;
    case 'mtu':
      return `link set dev ${s.name} mtu ${s.mtu}`;
    case 'alias':
      return `link set dev ${s.name} alias ${s.alias}`;
    case 'address-add':
      return `address add ${s.cidr} dev ${s.name}`;
    case 'address-del':
      return `address del ${s.cidr} dev ${s.name}`;
  }
}

export const isTunStep = (s: Step): s is TunStep => s.phase === 'tun';
export const isHolderStep = (s: Step): s is HolderStep => s.phase === 'holder';
export const isNetlinkStep = (s: Step): s is NetlinkStep => s.phase === 'netlink';
