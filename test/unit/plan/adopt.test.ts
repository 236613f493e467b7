import { describe, expect, it } from 'vitest';
import type { LiveDevice, LiveState } from '../../../src/model.js';
import { liveDevice } from '../support/live-device.js';
import { deviceSpec } from '../support/device-spec.js';
import { decideAdoption, describeAdoption, isRefused, planAfterAdoption } from '../../../src/plan/adopt.js';

const spec = deviceSpec;
/** An unmarked device made by someone else, down, with a process attached. */
const foreign = (name: string, extra: Partial<LiveDevice> = {}): LiveDevice =>
  liveDevice(name, { ifindex: 7, up: false, alias: undefined, managed: false, attachedPids: [4321], ...extra });

const state = (devices: LiveDevice[], otherLinks: LiveState['otherLinks'] = []): LiveState => ({ devices, processesComplete: true, otherLinks });

describe('adoption rule', () => {
  it('GIVEN an unmarked tun device whose fixed flags match WHEN decided THEN it is adopted with its ifindex', () => {
    const d = decideAdoption({ name: 'vpn0', spec: spec('vpn0') }, state([foreign('vpn0')]));
    expect(d).toEqual({ kind: 'adopt', name: 'vpn0', ifindex: 7, alias: null });
    expect(isRefused(d)).toBe(false);
    expect(describeAdoption(d)).toBe(
      "'vpn0' (ifindex 7) is a tun/tap device without the 'tunform' marker: adopted, it keeps its ifindex and attached processes",
    );
  });

  it('GIVEN a device whose multiQueue and mode differ WHEN decided THEN it is refused and the message names each flag', () => {
    const d = decideAdoption({ name: 'vpn0', spec: spec('vpn0', { multiQueue: true }) }, state([foreign('vpn0', { mode: 'tap' })]));
    expect(d.kind).toBe('mismatch');
    expect(isRefused(d)).toBe(true);
    expect(describeAdoption(d)).toBe(
      "'vpn0' cannot be adopted: its fixed flags differ from the spec (mode: tap (live) vs tun (spec), multiQueue: false (live) vs true (spec)); the kernel fixes them at creation, so only a replace could change them: delete the device, or change the spec to match",
    );
  });

  it('GIVEN a veth of that name WHEN decided THEN it is never adopted', () => {
    const d = decideAdoption({ name: 'v0', spec: spec('v0') }, state([], [{ name: 'v0', ifindex: 3, kind: 'veth' }]));
    expect(d).toEqual({ kind: 'not-tun', name: 'v0', ifindex: 3, linkKind: 'veth' });
    expect(isRefused(d)).toBe(true);
    expect(describeAdoption(d)).toBe("'v0' is a veth link, not a tun/tap device; tunform never adopts it");
  });

  it('GIVEN a managed device or no device WHEN decided THEN nothing is adopted and nothing refused', () => {
    const managed = decideAdoption({ name: 'a', spec: spec('a') }, state([foreign('a', { managed: true, alias: 'tunform' })]));
    const absent = decideAdoption({ name: 'b', spec: spec('b') }, state([]));
    expect([managed.kind, absent.kind]).toEqual(['managed', 'absent']);
    expect([isRefused(managed), isRefused(absent)]).toEqual([false, false]);
    expect(describeAdoption(absent)).toBe("'b' does not exist; nothing to adopt (apply would create it)");
  });

  it('GIVEN no spec (import by name) and a tap device WHEN decided THEN the fixed flags are not judged here', () => {
    expect(decideAdoption({ name: 'tap0' }, state([foreign('tap0', { mode: 'tap', vnetHeader: true })])).kind).toBe('adopt');
  });

  it('GIVEN an adoptable device with other settings WHEN the follow-on plan is made THEN it is an in-place update, never a replace, without a marker change', () => {
    const live = state([foreign('vpn0', { mtu: 1400, addresses: ['10.0.0.9/24'] })]);
    const want = spec('vpn0', { mtu: 1500, addresses: ['10.0.0.1/24'] });
    const decisions = [decideAdoption({ name: 'vpn0', spec: want }, live)];
    const p = planAfterAdoption(undefined, [want], live, decisions);
    expect(p.actions).toEqual([
      {
        action: 'update',
        name: 'vpn0',
        ifindex: 7,
        changes: { mtu: { from: 1400, to: 1500 }, up: { from: false, to: true }, addresses: { add: ['10.0.0.1/24'], remove: ['10.0.0.9/24'] } },
      },
    ]);
    expect(p.conflicts).toEqual([]);
  });
});
