import type { LiveDevice } from '../../../src/model.js';

/** A managed, persistent, single-queue, private (owner root) tun device as the live reader reports it; extra overrides any field. */
export const liveDevice = (name: string, extra: Partial<LiveDevice> = {}): LiveDevice => ({
  name,
  ifindex: 5,
  mode: 'tun',
  multiQueue: false,
  packetInfo: false,
  vnetHeader: false,
  persist: true,
  user: 0,
  mtu: 1500,
  up: true,
  carrier: false,
  addresses: [],
  alias: 'tunform',
  managed: true,
  attachedPids: [],
  holderPids: [],
  keepCarrier: false,
  ...extra,
});
