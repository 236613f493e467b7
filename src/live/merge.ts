import { bug } from '../errors.js';
import { parseMarker } from '../marker.js';
import type { LiveDevice } from '../model.js';
import type { Attachment, OwnerIds, TunLink } from './types.js';

export interface MergeInput {
  readonly links: readonly TunLink[];
  readonly addresses: ReadonlyMap<number, readonly string[]>;
  readonly attachments: ReadonlyMap<string, Attachment>;
  readonly ownerIds: OwnerIds;
}

const NOT_ATTACHED: Attachment = { attachedPids: [], holderPids: [] };

/** Joins links, addresses, attached processes and owner ids into devices, sorted by name. */
export function mergeLive(input: MergeInput): LiveDevice[] {
  return input.links
    .map((link) => toDevice(link, input))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function toDevice(link: TunLink, input: MergeInput): LiveDevice {
  const attachment = input.attachments.get(link.name) ?? NOT_ATTACHED;
  const marker = parseMarker(link.alias);
  const device: { -readonly [K in keyof LiveDevice]: LiveDevice[K] } = {
    name: link.name,
    ifindex: link.ifindex,
    mode: link.mode,
    multiQueue: link.multiQueue,
    packetInfo: link.packetInfo,
    vnetHeader: link.vnetHeader,
    persist: link.persist,
    mtu: link.mtu,
    up: link.up,
    carrier: link.carrier,
    addresses: [...(input.addresses.get(link.ifindex) ?? [])],
    managed: marker.managed,
    attachedPids: [...attachment.attachedPids],
    holderPids: [...attachment.holderPids],
    keepCarrier: observedKeepCarrier(link, attachment),
  };
  if (link.numQueues !== undefined) device.numQueues = link.numQueues;
  if (link.numDisabled !== undefined) device.numDisabled = link.numDisabled;
  if (link.user !== undefined) device.user = ownerId(link.user, input.ownerIds.users, link.name);
  if (link.group !== undefined) device.group = ownerId(link.group, input.ownerIds.groups, link.name);
  if (typeof link.user === 'string') device.userName = link.user;
  if (typeof link.group === 'string') device.groupName = link.group;
  if (attachment.processNames !== undefined && Object.keys(attachment.processNames).length > 0) device.processNames = { ...attachment.processNames };
  if (link.alias !== undefined) device.alias = link.alias;
  if (marker.generation !== undefined) device.generation = marker.generation;
  return device;
}

/**
 * A multi-queue holder detaches its queue, so an attached holder with no
 * disabled queue is not keeping carrier the way tunform does it.
 */
function observedKeepCarrier(link: TunLink, attachment: Attachment): boolean {
  if (attachment.holderPids.length === 0) return false;
  return !link.multiQueue || (link.numDisabled ?? 0) >= 1;
}

function ownerId(value: string | number, ids: ReadonlyMap<string, number>, device: string): number {
  if (typeof value === 'number') return value;
  const id = ids.get(value);
  // resolveOwnerIds throws for names it cannot resolve, so a gap here is ours.
  if (id === undefined) throw bug(`owner '${value}' of device '${device}' was not resolved before merging`);
  return id;
}
