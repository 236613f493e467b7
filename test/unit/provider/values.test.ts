import { describe, expect, test } from 'vitest';
import { stateFromLive } from '../../../src/provider/tunform/values.js';
import { fakeLookup } from '../spec/fake-lookup.js';
import { liveDevice, state } from './values-support.js';

const live = liveDevice('tun0', { ifindex: 9, user: 65534, mtu: 1400, addresses: ['10.0.0.1/24', 'fd00::1/64'] });

describe('live device -> resource state (Read)', () => {
  test('GIVEN managed optional fields in the prior WHEN read THEN live values in the prior spelling', () => {
    const prior = state({ name: 'tun0', mode: 'tun', user: 'nobody', mtu: 1500, addresses: ['FD00:0::1/64', '10.0.0.1/24'] });
    expect(stateFromLive(live, prior, fakeLookup())).toEqual({
      name: 'tun0', mode: 'tun', multi_queue: false, keep_carrier: false, packet_info: false, vnet_header: false,
      user: 'nobody', group: null, anyone_may_attach: false, mtu: 1400, up: true, addresses: ['10.0.0.1/24', 'FD00:0::1/64'], id: 'tun0', ifindex: 9, managed: true,
    });
  });

  test('GIVEN the owner changed outside WHEN read THEN the live id shows, so the plan shows the change', () => {
    const prior = state({ name: 'tun0', mode: 'tun', user: 'alice' });
    expect(stateFromLive(live, prior, fakeLookup()).user).toBe('65534');
  });

  test('GIVEN an address deleted outside WHEN read THEN it is missing from the state', () => {
    const prior = state({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24', '10.0.0.2/24'] });
    expect(stateFromLive(liveDevice('tun0', { addresses: ['10.0.0.1/24'] }), prior, fakeLookup()).addresses).toEqual(['10.0.0.1/24']);
  });

  test('GIVEN unmanaged optional fields (null in the prior) WHEN read THEN they stay null whatever the kernel has', () => {
    const prior = state({ name: 'tun0', mode: 'tun' });
    expect(stateFromLive(liveDevice('tun0', { group: 100, mtu: 1400, addresses: ['10.0.0.1/24'] }), prior, fakeLookup())).toMatchObject({ group: null, mtu: null, addresses: null });
  });

  test('GIVEN user null in the prior WHEN read THEN the live owner shows (a configuration without user still asks for root or for none)', () => {
    const prior = state({ name: 'tun0', mode: 'tun', group: 'kvm' });
    expect(stateFromLive(live, prior, fakeLookup()).user).toBe('65534');
    expect(stateFromLive(liveDevice('tun0', { user: undefined }), prior, fakeLookup()).user).toBeNull();
  });

  test('GIVEN a keepCarrier device whose holder is gone WHEN read THEN keep_carrier is false', () => {
    const prior = state({ name: 'tun0', mode: 'tun', multi_queue: true, keep_carrier: true });
    expect(stateFromLive(liveDevice('tun0', { multiQueue: true, keepCarrier: false }), prior, fakeLookup()).keep_carrier).toBe(false);
  });

  test('GIVEN no prior (import) of an unmarked device WHEN read THEN optional fields are unmanaged but the owner shows, and managed is false', () => {
    const s = stateFromLive({ ...live, managed: false, alias: undefined }, null, fakeLookup());
    expect(s).toMatchObject({ name: 'tun0', user: '65534', group: null, mtu: null, addresses: null, managed: false, ifindex: 9, up: true });
  });
});
