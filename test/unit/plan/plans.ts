/** Hand-built plans for renderer tests, independent of the planner. */
import type { Plan } from '../../../src/plan/types.js';

export const EMPTY_PLAN: Plan = {
  formatVersion: 1,
  netns: null,
  actions: [],
  conflicts: [],
  summary: { create: 0, update: 0, replace: 0, delete: 0, conflict: 0 },
};

export const MIXED_PLAN: Plan = {
  formatVersion: 1,
  netns: 'lab',
  actions: [
    { action: 'delete', name: 'old0', ifindex: 9, reason: 'pruned', attachedPids: [] },
    {
      action: 'replace',
      name: 'tun1',
      ifindex: 6,
      reasons: { multiQueue: { from: false, to: true } },
      device: { name: 'tun1', mode: 'tun', multiQueue: true, keepCarrier: false, packetInfo: false, vnetHeader: false, up: true },
      attachedPids: [1234],
    },
    {
      action: 'create',
      name: 'tun-test',
      device: {
        name: 'tun-test',
        mode: 'tun',
        multiQueue: true,
        keepCarrier: true,
        packetInfo: false,
        vnetHeader: false,
        mtu: 1500,
        up: true,
        addresses: ['172.31.0.1/24'],
      },
    },
    {
      action: 'update',
      name: 'tun0',
      ifindex: 5,
      changes: {
        user: { from: null, to: 1000 },
        mtu: { from: 1400, to: 1500 },
        addresses: { add: ['10.0.0.1/24'], remove: ['10.0.0.9/24'] },
        marker: { from: 'tunform', to: 'tunform@g2' },
      },
    },
  ],
  conflicts: [
    {
      name: 'tap9',
      ifindex: 12,
      message: "device 'tap9' exists but was not created by tunform (no 'tunform' alias); tunform will not modify it",
    },
  ],
  summary: { create: 1, update: 1, replace: 1, delete: 1, conflict: 1 },
};
