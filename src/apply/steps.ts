/**
 * Turns a plan into the concrete steps of each apply phase. Pure: the phases
 * run elsewhere. Each step names its device and what it does, so a failed
 * apply can say exactly which steps ran and which did not.
 */
import type { DeviceSpec, Mode } from '../model.js';
import { formatMarker } from '../marker.js';
import type { Action, Plan } from '../plan/types.js';

export type Phase = 'unlink' | 'tun' | 'holder' | 'netlink';

/** Kernel creation flags as the helper spells them. */
export interface TunFlags {
  readonly mode: Mode;
  readonly multiQueue: boolean;
  readonly packetInfo: boolean;
  readonly vnetHeader: boolean;
}

export type Step =
  | { readonly phase: 'unlink'; readonly op: 'delete'; readonly name: string; readonly line: string }
  | {
      readonly phase: 'tun';
      readonly op: 'create' | 'set';
      readonly name: string;
      readonly flags: TunFlags;
      readonly user?: number;
      readonly group?: number;
      readonly alias?: string;
    }
  | { readonly phase: 'holder'; readonly op: 'hold' | 'release'; readonly name: string; readonly flags?: TunFlags }
  | { readonly phase: 'netlink'; readonly op: 'alias' | 'mtu' | 'address-add' | 'address-del' | 'up' | 'down'; readonly name: string; readonly line: string };

export const PHASE_ORDER: readonly Phase[] = ['unlink', 'tun', 'holder', 'netlink'];

const flagsOf = (d: DeviceSpec): TunFlags => ({
  mode: d.mode,
  multiQueue: d.multiQueue,
  packetInfo: d.packetInfo,
  vnetHeader: d.vnetHeader,
});

/** Lines for `ip -batch -`: device names were validated (no whitespace), addresses are canonical CIDR. */
const ip = {
  del: (name: string) => `link del dev ${name}`,
  alias: (name: string, alias: string) => `link set dev ${name} alias ${alias}`,
  mtu: (name: string, mtu: number) => `link set dev ${name} mtu ${mtu}`,
  addrAdd: (name: string, cidr: string) => `address add ${cidr} dev ${name}`,
  addrDel: (name: string, cidr: string) => `address del ${cidr} dev ${name}`,
  up: (name: string) => `link set dev ${name} up`,
  down: (name: string) => `link set dev ${name} down`,
};

/** Steps that bring a freshly made device to its declared state (create and replace). */
function freshDeviceSteps(d: DeviceSpec, generation: string | undefined): Step[] {
  const steps: Step[] = [
    {
      phase: 'tun',
      op: 'create',
      name: d.name,
      flags: flagsOf(d),
      ...(d.user !== undefined ? { user: d.user } : {}),
      ...(d.group !== undefined ? { group: d.group } : {}),
      alias: formatMarker(generation),
    },
  ];
  // The holder attaches (and detaches its queue) before the link goes up, as networkd does.
  if (d.keepCarrier) steps.push({ phase: 'holder', op: 'hold', name: d.name, flags: flagsOf(d) });
  if (d.mtu !== undefined) steps.push({ phase: 'netlink', op: 'mtu', name: d.name, line: ip.mtu(d.name, d.mtu) });
  for (const a of d.addresses ?? []) steps.push({ phase: 'netlink', op: 'address-add', name: d.name, line: ip.addrAdd(d.name, a) });
  if (d.up) steps.push({ phase: 'netlink', op: 'up', name: d.name, line: ip.up(d.name) });
  return steps;
}

function removalSteps(name: string, heldByHolder: boolean): Step[] {
  const steps: Step[] = [];
  // `ip link del` removes the device even while readers hold fds (--force);
  // the holder's fd is released afterwards so the holder can exit when empty.
  steps.push({ phase: 'unlink', op: 'delete', name, line: ip.del(name) });
  if (heldByHolder) steps.push({ phase: 'holder', op: 'release', name });
  return steps;
}

function actionSteps(action: Action, desiredByName: ReadonlyMap<string, DeviceSpec>, heldNames: ReadonlySet<string>, generation: string | undefined): Step[] {
  switch (action.action) {
    case 'create':
      return freshDeviceSteps(action.device, generation);
    case 'replace':
      // No release: the holder notices its fd lost the deleted device and re-attaches on hold.
      return [...removalSteps(action.name, heldNames.has(action.name) && !action.device.keepCarrier), ...freshDeviceSteps(action.device, generation)];
    case 'delete':
      return removalSteps(action.name, heldNames.has(action.name));
    case 'update': {
      const d = desiredByName.get(action.name);
      const c = action.changes;
      const steps: Step[] = [];
      if (d && (c.user?.to != null || c.group?.to != null)) {
        steps.push({
          phase: 'tun',
          op: 'set',
          name: action.name,
          flags: flagsOf(d),
          // The kernel cannot clear an owner once set, and an absent field is not managed, so `to` is always a number here.
          ...(c.user?.to != null ? { user: c.user.to } : {}),
          ...(c.group?.to != null ? { group: c.group.to } : {}),
        });
      }
      if (c.keepCarrier !== undefined && d) {
        steps.push(c.keepCarrier.to ? { phase: 'holder', op: 'hold', name: action.name, flags: flagsOf(d) } : { phase: 'holder', op: 'release', name: action.name });
      }
      if (c.marker?.to) steps.push({ phase: 'netlink', op: 'alias', name: action.name, line: ip.alias(action.name, c.marker.to) });
      if (c.mtu?.to != null) steps.push({ phase: 'netlink', op: 'mtu', name: action.name, line: ip.mtu(action.name, c.mtu.to) });
      // Remove before add so a prefix-length change of the same address ends with the new one.
      for (const a of c.addresses?.remove ?? []) steps.push({ phase: 'netlink', op: 'address-del', name: action.name, line: ip.addrDel(action.name, a) });
      for (const a of c.addresses?.add ?? []) steps.push({ phase: 'netlink', op: 'address-add', name: action.name, line: ip.addrAdd(action.name, a) });
      if (c.up !== undefined) {
        steps.push(c.up.to ? { phase: 'netlink', op: 'up', name: action.name, line: ip.up(action.name) } : { phase: 'netlink', op: 'down', name: action.name, line: ip.down(action.name) });
      }
      return steps;
    }
  }
}

/**
 * All steps of a plan, grouped by phase in execution order. Within a phase,
 * steps keep the plan's order (priority, then name).
 */
export function planSteps(plan: Plan, desired: readonly DeviceSpec[], heldNames: ReadonlySet<string>, generation?: string): Step[] {
  const desiredByName = new Map(desired.map((d) => [d.name, d]));
  const all = plan.actions.flatMap((a) => actionSteps(a, desiredByName, heldNames, generation));
  // Holds before releases: a holder left empty by a release exits, and a later hold would find no one.
  const holderRank = (s: Step) => (s.phase === 'holder' && s.op === 'release' ? 1 : 0);
  return PHASE_ORDER.flatMap((phase) => {
    const inPhase = all.filter((s) => s.phase === phase);
    return phase === 'holder' ? [...inPhase].sort((a, b) => holderRank(a) - holderRank(b)) : inPhase;
  });
}

/** One line per step for reports: `create tun0`, `address-add tun0 10.0.0.1/24`. */
export function describeStep(s: Step): string {
  if (s.phase === 'netlink' || s.phase === 'unlink') return `${s.op} ${s.name}${s.op.startsWith('address') ? ' ' + s.line.split(' ')[2] : s.op === 'mtu' ? ' ' + s.line.split(' ').pop() : ''}`;
  if (s.phase === 'tun' && s.op === 'set') return `set ${s.name}${s.user !== undefined ? ` user=${s.user}` : ''}${s.group !== undefined ? ` group=${s.group}` : ''}`;
  return `${s.op} ${s.name}`;
}
