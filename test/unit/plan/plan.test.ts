import { describe, expect, it } from 'vitest';
import type { LiveDevice, LiveState } from '../../../src/model.js';
import { TunformError } from '../../../src/errors.js';
import { driftedDevices, isInSync, plan } from '../../../src/plan/plan.js';
import { liveDevice } from '../support/live-device.js';
import { deviceSpec } from '../support/device-spec.js';

const spec = deviceSpec;

const liveState = (...devices: LiveDevice[]): LiveState => ({ devices, processesComplete: true });

describe('plan', () => {
  it('GIVEN matching spec and live WHEN planned THEN the plan is in sync', () => {
    const p = plan({ devices: [spec('tun0')] }, liveState(liveDevice('tun0')));
    expect(isInSync(p)).toBe(true);
    expect(driftedDevices(p)).toEqual([]);
  });

  it('GIVEN only a conflict WHEN planned THEN the plan is not in sync', () => {
    const p = plan({ devices: [spec('tun0')] }, liveState(liveDevice('tun0', { alias: undefined, managed: false })));
    expect(p.actions).toEqual([]);
    expect(isInSync(p)).toBe(false);
    expect(driftedDevices(p)).toEqual(['tun0']);
  });

  it('GIVEN a creation field and an in-place field differ WHEN planned THEN only a replace is planned', () => {
    const p = plan({ devices: [spec('tun0', { mode: 'tap', mtu: 9000 })] }, liveState(liveDevice('tun0')));
    expect(p.actions.map((a) => a.action)).toEqual(['replace']);
    expect(p.summary).toEqual({ create: 0, update: 0, replace: 1, delete: 0, conflict: 0 });
  });

  it('GIVEN an unmanaged declared device under destroy WHEN planned THEN it is neither deleted nor a conflict', () => {
    const p = plan(
      { devices: [spec('tun0')] },
      liveState(liveDevice('tun0', { alias: 'someone-else', managed: false })),
      { destroy: true },
    );
    expect(isInSync(p)).toBe(true);
  });

  it('GIVEN a generation and a live device carrying it WHEN planned THEN the marker is left alone', () => {
    const p = plan({ devices: [spec('tun0')] }, liveState(liveDevice('tun0', { alias: 'tunform@g1', generation: 'g1' })), {
      generation: 'g1',
    });
    expect(isInSync(p)).toBe(true);
  });

  it('GIVEN frozen inputs WHEN planned THEN nothing is mutated', () => {
    const desired = Object.freeze({ devices: Object.freeze([Object.freeze(spec('b')), Object.freeze(spec('a'))]) });
    const live = Object.freeze(liveState(Object.freeze(liveDevice('c'))));
    const p = plan(desired, live);
    expect(p.actions.map((a) => `${a.action} ${a.name}`)).toEqual(['delete c', 'create a', 'create b']);
  });

  it('GIVEN spec and live from different namespaces WHEN planned THEN it refuses as a bug', () => {
    expect(() => plan({ netns: 'a', devices: [] }, { netns: 'b', devices: [], processesComplete: true })).toThrow(TunformError);
  });

  it('GIVEN a duplicate declared name WHEN planned THEN it refuses rather than dropping a device', () => {
    expect(() => plan({ devices: [spec('tun0'), spec('tun0')] }, liveState())).toThrow(/duplicate device name 'tun0'/);
  });
});
