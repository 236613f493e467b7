/**
 * How many whole-namespace reads the provider makes: Reads of one refresh
 * share one, an apply discards it, a name missing from it gets one more look.
 * The live reader and the engine are fakes that count; the provider is real.
 */
import { describe, expect, test } from 'vitest';
import type { LiveDevice, LiveState } from '../../../src/model.js';
import type { ApplyResult } from '../../../src/apply/apply.js';
import { createProvider } from '../../../src/provider/tunform/index.js';
import { Driver, errorsOf } from '../../support/provider-driver.js';
import { liveDevice } from '../support/live-device.js';

function fakeHost(initial: LiveDevice[]) {
  let devices = initial;
  let reads = 0;
  const live = (): LiveState => ({ devices, processesComplete: true });
  const provider = createProvider({
    lookup: { resolveUser: () => 0, resolveGroup: () => 0, netnsExists: () => true },
    readLive: async () => {
      reads += 1;
      return live();
    },
    lockAndRead: async () => ({ live: live() }),
    applyDesired: async (desired) => {
      devices = desired.devices.map((d) => liveDevice(d.name, d.mtu === undefined ? {} : { mtu: d.mtu }));
      return { live: live() } as ApplyResult;
    },
    adoptDevices: async () => {
      throw new Error('not used');
    },
  });
  return {
    driver: new Driver(provider),
    reads: () => reads,
    makeByHand: (name: string) => (devices = [...devices, liveDevice(name)]),
  };
}

const state = (name: string) => ({ name, mode: 'tun', multi_queue: false, keep_carrier: false, packet_info: false, vnet_header: false, user: null, group: null, mtu: null, up: true, addresses: null, id: name, ifindex: 5, managed: true });

describe('the live snapshot across calls', () => {
  test('GIVEN a refresh of 50 resources, 10 at a time WHEN read THEN one whole-namespace read serves all', async () => {
    const host = fakeHost(Array.from({ length: 50 }, (_, i) => liveDevice(`d${i}`)));
    await host.driver.configure({});
    for (let i = 0; i < 50; i += 10) {
      const got = await Promise.all(Array.from({ length: 10 }, (_, j) => host.driver.read(state(`d${i + j}`))));
      expect(got.every((s) => s !== null)).toBe(true);
    }
    expect(host.reads()).toBe(1);
  });

  test('GIVEN a snapshot WHEN this process applies a change THEN the next Read reads the namespace again and sees it', async () => {
    const host = fakeHost([liveDevice('a')]);
    await host.driver.configure({});
    const read = await host.driver.read({ ...state('a'), mtu: 1500 });
    expect(read).toMatchObject({ mtu: 1500 });
    const r = await host.driver.apply(read, { name: 'a', mode: 'tun', mtu: 1400 });
    expect(errorsOf(r.diagnostics)).toEqual([]);
    const before = host.reads();
    expect(await host.driver.read({ ...state('a'), mtu: 1400 })).toMatchObject({ mtu: 1400 });
    expect(host.reads()).toBe(before + 1);
  });

  test('GIVEN a snapshot taken before a device was made by hand WHEN a Read asks for it THEN it looks once more and finds it', async () => {
    const host = fakeHost([liveDevice('a')]);
    await host.driver.configure({});
    await host.driver.read(state('a'));
    host.makeByHand('b');
    expect(await host.driver.read(state('b'))).toMatchObject({ name: 'b' });
    expect(host.reads()).toBe(2);
  });

  test('GIVEN many devices gone WHEN their Reads come THEN they are null, for two reads in all', async () => {
    const host = fakeHost([]);
    await host.driver.configure({});
    for (let i = 0; i < 30; i += 10) {
      const got = await Promise.all(Array.from({ length: 10 }, (_, j) => host.driver.read(state(`g${i + j}`))));
      expect(got.every((s) => s === null)).toBe(true);
    }
    expect(host.reads()).toBe(2);
  });
});
