import type { DeviceSpec, InPlaceField, CreationField } from '../model.js';

/** A field's change: what the kernel has now and what the spec wants. */
export interface FieldChange<T> {
  readonly from: T | null;
  readonly to: T | null;
}

/** Address changes are a set difference, not a from/to pair. */
export interface AddressChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/**
 * The in-place change fields in their one order: the plan JSON, the human and
 * drift renderers and docs/plan-json.md all follow this list (a unit test
 * checks the docs and that every field survives JSON).
 */
export const CHANGE_FIELDS = ['packetInfo', 'vnetHeader', 'user', 'group', 'mtu', 'up', 'keepCarrier', 'persist', 'addresses', 'marker'] as const;
export type ChangeField = (typeof CHANGE_FIELDS)[number];

/** What each change field carries. */
interface ChangeValues {
  /**
   * Framing flags a program re-set when it attached. With no queue attached the
   * kernel takes them from the next attacher, so apply attaches with the declared ones.
   */
  readonly packetInfo: FieldChange<boolean>;
  readonly vnetHeader: FieldChange<boolean>;
  readonly user: FieldChange<number>;
  readonly group: FieldChange<number>;
  readonly mtu: FieldChange<number>;
  readonly up: FieldChange<boolean>;
  readonly keepCarrier: FieldChange<boolean>;
  /** Someone cleared the device's persist flag: it would vanish with its last fd (the holder's). */
  readonly persist: FieldChange<boolean>;
  readonly addresses: AddressChange;
  /** The managed marker (alias) is missing or carries another generation. */
  readonly marker: FieldChange<string>;
}

/** Only the fields that differ; every key is optional. */
export type Changes = { readonly [K in ChangeField]?: ChangeValues[K] };

// A field added to ChangeValues but not to CHANGE_FIELDS (or the reverse) fails to compile here.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const CHANGE_FIELDS_COMPLETE: SameKeys<keyof ChangeValues, ChangeField> = true;

/**
 * Why a device is replaced, in the order the plan JSON lists them: the
 * creation-time fields, `user` (an owner on a device whose spec declares only
 * a group: ownerBlocksGroup in model.ts) and anyoneMayAttach.
 */
export const REPLACE_REASONS = ['mode', 'multiQueue', 'packetInfo', 'vnetHeader', 'user', 'anyoneMayAttach'] as const;
export type ReplaceReason = CreationField | 'user' | 'anyoneMayAttach';

// A reason added to ReplaceReason but not to REPLACE_REASONS (or the reverse) fails to compile here.
export const REPLACE_REASONS_COMPLETE: SameKeys<(typeof REPLACE_REASONS)[number], ReplaceReason> = true;

export type ActionKind = 'delete' | 'replace' | 'create' | 'update';

/**
 * Execution priority. Deletes go first so a name or address can move from a
 * pruned device to a new one in one run.
 */
export const ACTION_PRIORITY: Readonly<Record<ActionKind, number>> = {
  delete: 0,
  replace: 1,
  create: 2,
  update: 3,
};

export interface CreateAction {
  readonly action: 'create';
  readonly name: string;
  readonly device: DeviceSpec;
}

export interface UpdateAction {
  readonly action: 'update';
  readonly name: string;
  readonly ifindex: number;
  readonly changes: Changes;
}

export interface ReplaceAction {
  readonly action: 'replace';
  readonly name: string;
  readonly ifindex: number;
  /**
   * Creation-time fields that differ, the live owner (uid) when the spec
   * declares only a group (`to` null: no owner), and anyoneMayAttach on an
   * owned device, each with from/to.
   */
  readonly reasons: Readonly<Partial<Record<ReplaceReason, FieldChange<string | number | boolean>>>>;
  readonly device: DeviceSpec;
  /** Attached processes other than tunform's holder; apply refuses unless forced. */
  readonly attachedPids: readonly number[];
  /**
   * Present when only packetInfo/vnetHeader differ: in place would do, but a
   * queue is attached and the kernel keeps the flags while one is. Lists the
   * attached processes (holder included), which may be empty when they could not be read.
   */
  readonly flagsHeldBy?: readonly AttachedProcess[];
}

/** A process with the device open, named as /proc showed it. */
export interface AttachedProcess {
  readonly pid: number;
  /** comm, or null when it could not be read. */
  readonly name: string | null;
  readonly holder: boolean;
}

export interface DeleteAction {
  readonly action: 'delete';
  readonly name: string;
  readonly ifindex: number;
  /** Why: `pruned` (managed, no longer declared) or `destroy`. */
  readonly reason: 'pruned' | 'destroy';
  readonly attachedPids: readonly number[];
}

export type Action = CreateAction | UpdateAction | ReplaceAction | DeleteAction;

/** A declared device that exists but was not created by tunform: never touched. */
export interface Conflict {
  readonly name: string;
  readonly ifindex: number;
  readonly message: string;
}

export interface Plan {
  /** Version of this JSON document's shape; bumped on incompatible change. */
  readonly formatVersion: 1;
  readonly netns: string | null;
  readonly actions: readonly Action[];
  readonly conflicts: readonly Conflict[];
  readonly summary: Readonly<Record<ActionKind, number>> & { readonly conflict: number };
}

export interface PlanOptions {
  /** Delete managed devices that the spec no longer declares. Default true. */
  readonly prune?: boolean;
  /** Plan the deletion of every declared device instead (tunform destroy). */
  readonly destroy?: boolean;
  /** Marker generation the desired devices should carry (cdktf backend). */
  readonly generation?: string;
}

export type { InPlaceField };
