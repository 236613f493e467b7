/** Intermediate shapes between the raw readers and the LiveState they merge into. */
import type { Mode } from '../model.js';

/** A tun/tap link as `ip -d -j link show` reports it, owner still as ip printed it. */
export interface TunLink {
  readonly name: string;
  readonly ifindex: number;
  readonly mode: Mode;
  readonly multiQueue: boolean;
  readonly packetInfo: boolean;
  readonly vnetHeader: boolean;
  readonly persist: boolean;
  readonly numQueues?: number;
  readonly numDisabled?: number;
  /** A name when ip could resolve it, else the numeric id. */
  readonly user?: string | number;
  readonly group?: string | number;
  readonly mtu: number;
  readonly up: boolean;
  readonly carrier: boolean;
  readonly alias?: string;
}

/** Processes holding an fd attached to one device. */
export interface Attachment {
  readonly attachedPids: readonly number[];
  readonly holderPids: readonly number[];
}

export interface ProcessScan {
  /** By device name, as fdinfo's `iff:` line gives it. */
  readonly byDevice: ReadonlyMap<string, Attachment>;
  readonly complete: boolean;
}

/** Name-to-id tables for owners that ip printed as names. */
export interface OwnerIds {
  readonly users: ReadonlyMap<string, number>;
  readonly groups: ReadonlyMap<string, number>;
}
