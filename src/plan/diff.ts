import { anyoneMayAttachLive, CREATION_FIELDS, deviceOwner, ownerBlocksGroup, type DeviceSpec, type LiveDevice } from '../model.js';
import { formatMarker } from '../marker.js';
import { sortedNumbers, sortedStrings } from './order.js';
import type { AddressChange, AttachedProcess, Changes, FieldChange, ReplaceAction } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What the kernel cannot change on a live device: creation-time fields, an
 * owner on a device whose spec declares only a group (it keeps the group's
 * other members out), and anyoneMayAttach on a device with an owner or group
 * (no ioctl clears them). Empty: no replace needed.
 */
export function creationReasons(spec: DeviceSpec, live: LiveDevice): ReplaceAction['reasons'] {
  const reasons: Mutable<ReplaceAction['reasons']> = {};
  for (const field of CREATION_FIELDS) {
    if (spec[field] !== live[field]) reasons[field] = { from: live[field], to: spec[field] };
  }
  if (ownerBlocksGroup(spec, live)) reasons.user = { from: live.user!, to: null };
  if (spec.anyoneMayAttach && !anyoneMayAttachLive(live)) reasons.anyoneMayAttach = { from: false, to: true };
  return reasons;
}

/**
 * Creation flags that an attacher re-sets (drivers/net/tun.c, tun_set_iff):
 * on a single-queue device, or a multi-queue one whose only queue is the new
 * one, TUNSETIFF copies the caller's IFF_NO_PI/IFF_VNET_HDR into the device.
 */
export const FRAMING_FIELDS = ['packetInfo', 'vnetHeader'] as const;

const isFraming = (field: string): boolean => (FRAMING_FIELDS as readonly string[]).includes(field);

/** Whether every creation difference is a framing flag (an attacher could set them again). */
export function onlyFramingDiffers(reasons: ReplaceAction['reasons']): boolean {
  return Object.keys(reasons).every(isFraming);
}

/**
 * Queues attached now. Multi-queue devices report active and detached ones;
 * a single-queue device has one while a process holds it, which also brings carrier.
 */
export function attachedQueues(live: LiveDevice): number {
  if (live.multiQueue) return (live.numQueues ?? 0) + (live.numDisabled ?? 0);
  return live.attachedPids.length > 0 || live.carrier ? 1 : 0;
}

/** The framing differences as in-place changes (the caller checked nothing else differs). */
export function framingChanges(reasons: ReplaceAction['reasons']): Changes {
  const changes: Mutable<Changes> = {};
  for (const field of FRAMING_FIELDS) {
    const c = reasons[field];
    if (c !== undefined) changes[field] = { from: c.from as boolean | null, to: c.to as boolean | null };
  }
  return changes;
}

/** Every attached process, holder included, with its name where /proc showed it. */
export function attachedProcesses(live: LiveDevice): AttachedProcess[] {
  const holders = new Set(live.holderPids);
  return sortedNumbers(live.attachedPids).map((pid) => ({ pid, name: live.processNames?.[pid] ?? null, holder: holders.has(pid) }));
}

export function addressChange(desired: readonly string[], live: readonly string[]): AddressChange | undefined {
  const want = new Set(desired);
  const have = new Set(live);
  const add = sortedStrings([...want].filter((a) => !have.has(a)));
  const remove = sortedStrings([...have].filter((a) => !want.has(a)));
  return add.length === 0 && remove.length === 0 ? undefined : { add, remove };
}

function fieldChange<T>(from: T | undefined, to: T): FieldChange<T> | undefined {
  return from === to ? undefined : { from: from ?? null, to };
}

/**
 * In-place differences of a managed device. Optional spec fields that are
 * absent are not managed and never produce a change; `generation` undefined
 * means any managed marker is acceptable.
 */
export function inPlaceChanges(spec: DeviceSpec, live: LiveDevice, generation: string | undefined): Changes {
  const changes: Mutable<Changes> = {};
  // Key order here is the order renderers and JSON show them in.
  // The owner is managed even when 'user' is absent: private by default (model.ts, deviceOwner).
  const owner = deviceOwner(spec);
  if (owner !== undefined) assign(changes, 'user', fieldChange(live.user, owner));
  if (spec.group !== undefined) assign(changes, 'group', fieldChange(live.group, spec.group));
  if (spec.mtu !== undefined) assign(changes, 'mtu', fieldChange(live.mtu, spec.mtu));
  assign(changes, 'up', fieldChange(live.up, spec.up));
  assign(changes, 'keepCarrier', fieldChange(live.keepCarrier, spec.keepCarrier));
  // tunform's devices are always persistent; not a spec field, an invariant it repairs.
  assign(changes, 'persist', fieldChange(live.persist, true));
  if (spec.addresses !== undefined) assign(changes, 'addresses', addressChange(spec.addresses, live.addresses));
  if (generation !== undefined && live.generation !== generation) {
    assign(changes, 'marker', { from: live.alias ?? null, to: formatMarker(generation) });
  }
  return changes;
}

function assign<K extends keyof Changes>(changes: Mutable<Changes>, key: K, value: Changes[K] | undefined): void {
  if (value !== undefined) changes[key] = value;
}

/** Processes that hold the device open and are not tunform's own holder. */
export function foreignPids(live: LiveDevice): number[] {
  const holders = new Set(live.holderPids);
  return sortedNumbers(live.attachedPids.filter((pid) => !holders.has(pid)));
}
