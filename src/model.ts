/**
 * Plain typed data shared by the YAML front end, the cdktf constructs, the
 * planner and the reconciler. Names here are the project's vocabulary: the
 * YAML keys, construct props, plan JSON and docs all use them.
 */

export type Mode = 'tun' | 'tap';

/** Creation-time flags: the kernel fixes them when the device is made, so a change means replace. */
export const CREATION_FIELDS = ['mode', 'multiQueue', 'packetInfo', 'vnetHeader'] as const;
export type CreationField = (typeof CREATION_FIELDS)[number];

/** Fields that can change on a live device without recreating it. */
export const IN_PLACE_FIELDS = ['user', 'group', 'mtu', 'up', 'addresses', 'keepCarrier'] as const;
export type InPlaceField = (typeof IN_PLACE_FIELDS)[number];

/**
 * The spec's device fields in their one order: the YAML schema, the plan
 * JSON's device, the stored spec of the cdktf resources and the docs follow it.
 */
export const DEVICE_FIELDS = [
  'name', 'mode', 'multiQueue', 'keepCarrier', 'packetInfo', 'vnetHeader', 'user', 'group', 'anyoneMayAttach', 'mtu', 'up', 'addresses',
] as const;
export type DeviceField = (typeof DEVICE_FIELDS)[number];

/** Defaults of the fields that have one: these are always managed. */
export const DEVICE_DEFAULTS = { multiQueue: false, keepCarrier: false, packetInfo: false, vnetHeader: false, anyoneMayAttach: false, up: true } as const;

/**
 * One desired device after validation and normalisation.
 * Optional fields that are absent are not managed: tunform neither sets nor
 * verifies them. Fields with defaults are always managed.
 */
export interface DeviceSpec {
  readonly name: string;
  readonly mode: Mode;
  readonly multiQueue: boolean;
  readonly keepCarrier: boolean;
  readonly packetInfo: boolean;
  readonly vnetHeader: boolean;
  /** Numeric uid, resolved from a name during validation. */
  readonly user?: number;
  /** Numeric gid, resolved from a name during validation. */
  readonly group?: number;
  /** Opt-out of the private default (see deviceOwner): no owner, no group, any local user may attach. */
  readonly anyoneMayAttach: boolean;
  readonly mtu?: number;
  readonly up: boolean;
  /** Canonical CIDR strings (`172.31.0.1/24`, `fd00::1/64`), sorted. Absent: addresses not managed. */
  readonly addresses?: readonly string[];
}

// A DeviceSpec field missing from DEVICE_FIELDS (or the reverse) fails to compile here.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const DEVICE_FIELDS_COMPLETE: SameKeys<keyof DeviceSpec, DeviceField> = true;

/**
 * The owner of a device that declares neither user nor group. The kernel lets
 * anyone who can open /dev/net/tun attach to a device with neither owner nor
 * group; with owner root, only root and CAP_NET_ADMIN processes can.
 */
export const PRIVATE_OWNER = 0;

/**
 * The owner a device must have: the declared user; with neither user nor
 * group, PRIVATE_OWNER unless anyoneMayAttach opts out. Undefined: the device
 * must have none (a group alone, see ownerBlocksGroup; anyoneMayAttach), which
 * only a new device can have: the kernel cannot clear an owner.
 */
export function deviceOwner(d: { readonly user?: number; readonly group?: unknown; readonly anyoneMayAttach: boolean }): number | undefined {
  if (d.user !== undefined) return d.user;
  return d.group === undefined && !d.anyoneMayAttach ? PRIVATE_OWNER : undefined;
}

/**
 * Whether the live device's owner defeats a spec that declares only `group`.
 * The kernel lets a process without CAP_NET_ADMIN attach only when it is the
 * owner, where one is set, and a member of the group, where one is set
 * (drivers/net/tun.c, tun_not_capable), so any owner keeps every other member
 * of the group out; and no ioctl clears an owner (TUNSETOWNER refuses -1).
 * Such a device can only be made anew. Only presence matters here, so the
 * CLI's ids and the provider's configured strings both fit.
 */
export function ownerBlocksGroup(spec: { readonly user?: unknown; readonly group?: unknown }, live: { readonly user?: unknown }): boolean {
  return spec.user === undefined && spec.group !== undefined && live.user !== undefined;
}

/** Whether a live device lets any local user attach: the kernel checks nothing when neither owner nor group is set. */
export const anyoneMayAttachLive = (d: { readonly user?: number; readonly group?: number }): boolean =>
  d.user === undefined && d.group === undefined;

export interface DesiredState {
  /** Named network namespace (`ip netns`), or undefined for the caller's own. */
  readonly netns?: string;
  readonly devices: readonly DeviceSpec[];
}

/** One tun/tap device as the kernel reports it. */
export interface LiveDevice {
  readonly name: string;
  readonly ifindex: number;
  readonly mode: Mode;
  readonly multiQueue: boolean;
  readonly packetInfo: boolean;
  readonly vnetHeader: boolean;
  readonly persist: boolean;
  /** Active queues (multi-queue devices only; the kernel does not report it otherwise). */
  readonly numQueues?: number;
  /** Detached queues (multi-queue devices only). */
  readonly numDisabled?: number;
  readonly user?: number;
  readonly group?: number;
  readonly mtu: number;
  /** Administrative state (IFF_UP). */
  readonly up: boolean;
  /** Lower layer up (carrier). */
  readonly carrier: boolean;
  /** Canonical CIDR strings, sorted, without kernel-made IPv6 link-local addresses. */
  readonly addresses: readonly string[];
  /** Link alias (IFLA_IFALIAS), raw. */
  readonly alias?: string;
  /** True when the alias carries tunform's managed marker. */
  readonly managed: boolean;
  /** Generation from the marker, when present (see marker.ts). */
  readonly generation?: string;
  /** Every process with an fd attached to this device, holder included. */
  readonly attachedPids: readonly number[];
  /** The subset of attachedPids that are tunform holder processes. */
  readonly holderPids: readonly number[];
  /** Names (comm) of attached processes by pid, where they could be read: messages say `2390(qemu-system-x86)`. */
  readonly processNames?: Readonly<Record<number, string>>;
  /** Owner and group names, when the ids resolve (for display; user/group stay the managed values). */
  readonly userName?: string;
  readonly groupName?: string;
  /**
   * KeepCarrier as observed: a holder has an fd attached and, on multi-queue
   * devices, at least one queue is detached (the holder's).
   */
  readonly keepCarrier: boolean;
}

export interface LiveState {
  readonly netns?: string;
  readonly devices: readonly LiveDevice[];
  /** Whether attached processes could be read completely (needs root for other users' processes). */
  readonly processesComplete: boolean;
  /** Links that are not tun/tap devices (veth, bridge, lo...): their names cannot be declared. */
  readonly otherLinks?: readonly { readonly name: string; readonly ifindex: number; readonly kind: string }[];
}
