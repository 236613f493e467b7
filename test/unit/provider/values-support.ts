import type { CtyObject, CtyValue } from '../../../src/provider/contract.js';

/** A resource configuration as Terraform decodes it: every attribute present, null where not written. */
export function config(values: Record<string, CtyValue>): CtyObject {
  return {
    name: null,
    mode: null,
    multi_queue: null,
    keep_carrier: null,
    packet_info: null,
    vnet_header: null,
    user: null,
    group: null,
    anyone_may_attach: null,
    mtu: null,
    up: null,
    addresses: null,
    id: null,
    ifindex: null,
    managed: null,
    ...values,
  };
}

/** A state as Read or Apply would have written it. */
export function state(values: Record<string, CtyValue>): CtyObject {
  return config({ multi_queue: false, keep_carrier: false, packet_info: false, vnet_header: false, anyone_may_attach: false, up: true, managed: true, ...values });
}

export { liveDevice } from '../support/live-device.js';
