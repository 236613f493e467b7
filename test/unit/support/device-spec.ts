import type { DeviceSpec } from '../../../src/model.js';

/** A validated spec of a single-queue tun device with every default; extra overrides any field. */
export const deviceSpec = (name: string, extra: Partial<DeviceSpec> = {}): DeviceSpec => ({
  name,
  mode: 'tun',
  multiQueue: false,
  keepCarrier: false,
  packetInfo: false,
  vnetHeader: false,
  anyoneMayAttach: false,
  up: true,
  ...extra,
});
