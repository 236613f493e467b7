/** Intermediate shapes between the raw readers and the LiveState they merge into. */
import type { LiveDevice } from '../model.js';

/** A tun/tap link as `ip -d -j link show` reports it: LiveDevice's kernel fields, owner still as ip printed it. */
export type TunLink = Pick<
  LiveDevice,
  'name' | 'ifindex' | 'mode' | 'multiQueue' | 'packetInfo' | 'vnetHeader' | 'persist' | 'numQueues' | 'numDisabled' | 'mtu' | 'up' | 'carrier' | 'alias'
> & {
  /** A name when ip could resolve it, else the numeric id. */
  readonly user?: string | number;
  readonly group?: string | number;
};

/** Processes holding an fd attached to one device. */
export interface Attachment {
  readonly attachedPids: readonly number[];
  readonly holderPids: readonly number[];
  /** Process names (comm) by pid, where /proc showed them. */
  readonly processNames?: Readonly<Record<number, string>>;
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
