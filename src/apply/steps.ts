/**
 * Turns a plan into the concrete steps of each apply phase. Pure: the phases
 * run elsewhere. Each step names its device and what it does, so a failed
 * apply can say exactly which steps ran and which did not.
 */
import { deviceOwner, type DeviceSpec, type Mode } from '../model.js';
import { formatMarker } from '../marker.js';
import type { Action, Plan } from '../plan/types.js';

/**
 * `tun`: one helper process (unlink, create, owner/group); `holder`: the
 * namespace's holder (hold, release); `netlink`: one `ip -batch -` (or the
 * setuid helper's rtnetlink ops).
 */
export type Phase = 'tun' | 'holder' | 'netlink';

/** Kernel creation flags as the helper spells them. */
export interface TunFlags {
  readonly mode: Mode;
  readonly multiQueue: boolean;
  readonly packetInfo: boolean;
  readonly vnetHeader: boolean;
}

export type TunStep =
  | { readonly phase: 'tun'; readonly op: 'unlink'; readonly name: string }
  | {
      readonly phase: 'tun';
      readonly op: 'create' | 'set';
      readonly name: string;
      readonly flags: TunFlags;
      readonly user?: number;
      readonly group?: number;
      readonly alias?: string;
      readonly persist?: true;
    };

export type HolderStep =
  | { readonly phase: 'holder'; readonly op: 'hold'; readonly name: string; readonly flags: TunFlags }
  | { readonly phase: 'holder'; readonly op: 'release'; readonly name: string }
  /** Owner, group or persist of a held single-queue device, whose only queue the holder owns. */
  | {
      readonly phase: 'holder';
      readonly op: 'set';
      readonly name: string;
      readonly flags: TunFlags;
      readonly user?: number;
      readonly group?: number;
      readonly persist?: true;
    };

export type NetlinkStep =
  | { readonly phase: 'netlink'; readonly op: 'up' | 'down'; readonly name: string }
  | { readonly phase: 'netlink'; readonly op: 'mtu'; readonly name: string; readonly mtu: number }
  | { readonly phase: 'netlink'; readonly op: 'alias'; readonly name: string; readonly alias: string }
  | { readonly phase: 'netlink'; readonly op: 'address-add' | 'address-del'; readonly name: string; readonly cidr: string };

export type Step = TunStep | HolderStep | NetlinkStep;

export const PHASE_ORDER: readonly Phase[] = ['tun', 'holder', 'netlink'];

const flagsOf = (d: DeviceSpec): TunFlags => ({
  mode: d.mode,
  multiQueue: d.multiQueue,
  packetInfo: d.packetInfo,
  vnetHeader: d.vnetHeader,
});

/** Steps that bring a freshly made device to its declared state (create and replace). */
function freshDeviceSteps(d: DeviceSpec, generation: string | undefined): Step[] {
  const steps: Step[] = [
    {
      phase: 'tun',
      op: 'create',
      name: d.name,
      flags: flagsOf(d),
      ...(deviceOwner(d) !== undefined ? { user: deviceOwner(d) } : {}),
      ...(d.group !== undefined ? { group: d.group } : {}),
      alias: formatMarker(generation),
    },
  ];
  // The holder attaches (and detaches its queue) before the link goes up, as networkd does.
  if (d.keepCarrier) steps.push({ phase: 'holder', op: 'hold', name: d.name, flags: flagsOf(d) });
  if (d.mtu !== undefined) steps.push({ phase: 'netlink', op: 'mtu', name: d.name, mtu: d.mtu });
  for (const cidr of d.addresses ?? []) steps.push({ phase: 'netlink', op: 'address-add', name: d.name, cidr });
  if (d.up) steps.push({ phase: 'netlink', op: 'up', name: d.name });
  return steps;
}

/**
 * Unlinking removes the device even while readers hold fds (--force). A held
 * fd is released afterwards so the holder can exit when it holds nothing.
 */
function removalSteps(name: string, release: boolean): Step[] {
  const steps: Step[] = [{ phase: 'tun', op: 'unlink', name }];
  if (release) steps.push({ phase: 'holder', op: 'release', name });
  return steps;
}

function updateSteps(name: string, d: DeviceSpec | undefined, c: Extract<Action, { action: 'update' }>['changes'], held: boolean): Step[] {
  const steps: Step[] = [];
  // The kernel cannot clear an owner once set, and an unmanaged one never changes, so `to` is a number when present.
  // Attaching with the declared flags also sets packetInfo/vnetHeader again: the planner asks only when no queue is attached.
  const framing = c.packetInfo !== undefined || c.vnetHeader !== undefined;
  if (d && (c.user?.to != null || c.group?.to != null || c.persist?.to === true || framing)) {
    const set = {
      op: 'set' as const,
      name,
      flags: flagsOf(d),
      ...(c.user?.to != null ? { user: c.user.to } : {}),
      ...(c.group?.to != null ? { group: c.group.to } : {}),
      ...(c.persist?.to === true ? { persist: true as const } : {}),
    };
    // Nobody else can attach to a held single-queue device: the holder changes it through its fd.
    steps.push(held && !d.multiQueue ? { phase: 'holder', ...set } : { phase: 'tun', ...set });
  }
  if (c.keepCarrier !== undefined && d) {
    steps.push(c.keepCarrier.to ? { phase: 'holder', op: 'hold', name, flags: flagsOf(d) } : { phase: 'holder', op: 'release', name });
  }
  if (c.marker?.to) steps.push({ phase: 'netlink', op: 'alias', name, alias: c.marker.to });
  if (c.mtu?.to != null) steps.push({ phase: 'netlink', op: 'mtu', name, mtu: c.mtu.to });
  // Remove before add so a prefix-length change of the same address ends with the new one.
  for (const cidr of c.addresses?.remove ?? []) steps.push({ phase: 'netlink', op: 'address-del', name, cidr });
  for (const cidr of c.addresses?.add ?? []) steps.push({ phase: 'netlink', op: 'address-add', name, cidr });
  if (c.up !== undefined) steps.push({ phase: 'netlink', op: c.up.to ? 'up' : 'down', name });
  return steps;
}

function actionSteps(action: Action, desiredByName: ReadonlyMap<string, DeviceSpec>, heldNames: ReadonlySet<string>, generation: string | undefined): Step[] {
  switch (action.action) {
    case 'create':
      return freshDeviceSteps(action.device, generation);
    case 'replace':
      // No release when the new device is held too: the holder sees its fd lost the device and re-attaches on hold.
      return [...removalSteps(action.name, heldNames.has(action.name) && !action.device.keepCarrier), ...freshDeviceSteps(action.device, generation)];
    case 'delete':
      return removalSteps(action.name, heldNames.has(action.name));
    case 'update':
      return updateSteps(action.name, desiredByName.get(action.name), action.changes, heldNames.has(action.name));
  }
}

/**
 * All steps of a plan, grouped by phase in execution order. Within a phase,
 * steps keep the plan's order (priority, then name), so unlinks come before
 * the creates that may reuse their names.
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
  if (s.phase === 'netlink') {
    if (s.op === 'mtu') return `mtu ${s.name} ${s.mtu}`;
    if (s.op === 'alias') return `alias ${s.name} ${s.alias}`;
    if (s.op === 'address-add' || s.op === 'address-del') return `${s.op} ${s.name} ${s.cidr}`;
    return `${s.op} ${s.name}`;
  }
  if (s.op === 'set') {
    return `set ${s.name}${s.user !== undefined ? ` user=${s.user}` : ''}${s.group !== undefined ? ` group=${s.group}` : ''}${s.persist ? ' persist' : ''}`;
  }
  return `${s.op} ${s.name}`;
}
