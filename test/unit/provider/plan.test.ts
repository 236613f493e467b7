import { describe, expect, test } from 'vitest';
import { UNKNOWN, type CtyObject, type ResourceType } from '../../../src/provider/contract.js';
import { resourceSchema } from '../../../src/provider/tunform/schema.js';
import { proposedNew } from '../../support/provider-driver.js';
import { framingPrivate, planDevice } from '../../../src/provider/tunform/plan.js';
import { fakeLookup } from '../spec/fake-lookup.js';
import { config, state } from './values-support.js';

const NO_PRIVATE = new Uint8Array();

const resource = { schema: resourceSchema() } as ResourceType;

function plan(cfg: CtyObject, prior: CtyObject | null, priorPrivate = NO_PRIVATE) {
  return planDevice({ prior, proposed: proposedNew(resource, cfg, prior), config: cfg, priorPrivate }, fakeLookup());
}

// As Read reports a private device: owner root.
const prior = state({ name: 'tun0', mode: 'tun', user: '0', addresses: ['10.0.0.1/24'], id: 'tun0', ifindex: 12 });

describe('planning tunform_netdev', () => {
  test('GIVEN a new device WHEN planned THEN defaults are shown (owner root: private), id is the name and ifindex is unknown', () => {
    const r = plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'] }), null);
    expect(r.planned).toEqual({
      name: 'tun0', mode: 'tun', multi_queue: false, keep_carrier: false, packet_info: false, vnet_header: false,
      user: '0', group: null, anyone_may_attach: false, mtu: null, up: true, addresses: ['10.0.0.1/24'], id: 'tun0', ifindex: UNKNOWN, managed: true,
    });
    expect(r.requiresReplace).toBeUndefined();
    expect(r.diagnostics).toBeUndefined();
  });

  test('GIVEN an address change WHEN planned THEN in place: same ifindex, nothing forces replacement', () => {
    const r = plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.2/24'] }), prior);
    expect(r.planned).toMatchObject({ addresses: ['10.0.0.2/24'], ifindex: 12, managed: true });
    expect(r.requiresReplace).toBeUndefined();
  });

  test('GIVEN nothing changed WHEN planned THEN the plan equals the prior state', () => {
    expect(plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'] }), prior).planned).toEqual(prior);
  });

  test('GIVEN multi_queue changed WHEN planned THEN it forces replacement and the ifindex becomes unknown', () => {
    const r = plan(config({ name: 'tun0', mode: 'tun', multi_queue: true, addresses: ['10.0.0.1/24'] }), prior);
    expect(r.requiresReplace).toEqual([['multi_queue']]);
    expect(r.planned).toMatchObject({ ifindex: UNKNOWN, multi_queue: true });
  });

  test('GIVEN each creation attribute and the name WHEN changed THEN exactly that path forces replacement', () => {
    const changes: [string, unknown][] = [['name', 'tun1'], ['mode', 'tap'], ['packet_info', true], ['vnet_header', true]];
    for (const [attr, value] of changes) {
      const r = plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'], [attr]: value as never }), prior);
      expect(r.requiresReplace, attr).toEqual([[attr]]);
    }
  });

  test('GIVEN keep_carrier, up, mtu or user changed WHEN planned THEN nothing forces replacement', () => {
    const r = plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'], keep_carrier: true, up: false, mtu: 1400, user: 'nobody' }), prior);
    expect(r.requiresReplace).toBeUndefined();
    expect(r.planned).toMatchObject({ ifindex: 12, keep_carrier: true, up: false, mtu: 1400, user: 'nobody' });
  });

  test('GIVEN a mode from another resource (unknown) WHEN planned THEN it may force replacement', () => {
    const r = plan(config({ name: 'tun0', mode: UNKNOWN, addresses: ['10.0.0.1/24'] }), prior);
    expect(r.requiresReplace).toEqual([['mode']]);
    expect(r.planned).toMatchObject({ mode: UNKNOWN, ifindex: UNKNOWN });
  });

  test('GIVEN the prior default was drifted (up false) and config leaves up null WHEN planned THEN up is planned back to true', () => {
    const drifted = { ...prior, up: false };
    expect(plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'] }), drifted).planned).toMatchObject({ up: true, ifindex: 12 });
  });

  test('GIVEN an imported device without the marker WHEN planned THEN managed goes false -> true in place', () => {
    const imported = { ...prior, managed: false, addresses: null };
    const r = plan(config({ name: 'tun0', mode: 'tun' }), imported);
    expect(r.planned).toMatchObject({ managed: true, ifindex: 12 });
    expect(r.requiresReplace).toBeUndefined();
  });

  test('GIVEN a non-canonical address WHEN planned THEN the configured spelling is planned (Terraform requires it)', () => {
    const r = plan(config({ name: 'tun0', mode: 'tun', addresses: ['FD00:0::1/64'] }), null);
    expect(r.planned?.addresses).toEqual(['FD00:0::1/64']);
  });

  test('GIVEN mtu = 70000 WHEN planned THEN no plan, an error on mtu', () => {
    const r = plan(config({ name: 'tun0', mode: 'tun', mtu: 70000 }), prior);
    expect(r.planned).toBeNull();
    expect(r.diagnostics).toEqual([{ severity: 'error', summary: "'mtu' (70000) must be between 68 and 65535", attribute: ['mtu'] }]);
  });

  test('GIVEN a destroy WHEN planned THEN the planned state is null', () => {
    expect(planDevice({ prior, proposed: null, config: null, priorPrivate: NO_PRIVATE }, fakeLookup())).toEqual({ planned: null });
  });

  describe('an owner on a device whose configuration declares only group (ownerBlocksGroup)', () => {
    const groupOnly = config({ name: 'tun0', mode: 'tun', group: 'kvm', addresses: ['10.0.0.1/24'] });

    test('GIVEN a private device (Read: user "0") WHEN only group is declared THEN user "0" -> null forces replacement and the ifindex becomes unknown', () => {
      const r = plan(groupOnly, prior);
      expect(r.requiresReplace).toEqual([['user']]);
      expect(r.planned).toMatchObject({ user: null, group: 'kvm', ifindex: UNKNOWN });
    });

    test('GIVEN the owner of a user since removed WHEN only group stays declared THEN it forces replacement too', () => {
      const r = plan(groupOnly, { ...prior, user: 'alice', group: 'kvm' });
      expect(r.requiresReplace).toEqual([['user']]);
      expect(r.planned).toMatchObject({ user: null });
    });

    test('GIVEN a device without an owner WHEN only group is declared THEN the group is set in place', () => {
      const r = plan(groupOnly, { ...prior, user: null });
      expect(r.requiresReplace).toBeUndefined();
      expect(r.planned).toMatchObject({ user: null, group: 'kvm', ifindex: 12 });
    });

    test('GIVEN a private device WHEN user and group are declared THEN both are set in place', () => {
      const r = plan(config({ name: 'tun0', mode: 'tun', user: 'alice', group: 'kvm', addresses: ['10.0.0.1/24'] }), prior);
      expect(r.requiresReplace).toBeUndefined();
      expect(r.planned).toMatchObject({ user: 'alice', group: 'kvm', ifindex: 12 });
    });

    test('GIVEN a group from another resource (unknown) WHEN the device has an owner THEN the owner is unknown and it may force replacement', () => {
      const r = plan(config({ name: 'tun0', mode: 'tun', group: UNKNOWN, addresses: ['10.0.0.1/24'] }), prior);
      expect(r.requiresReplace).toEqual([['user']]);
      expect(r.planned).toMatchObject({ user: UNKNOWN, ifindex: UNKNOWN });
    });

    test('GIVEN a device made before the private default (no owner) WHEN neither user nor group is declared THEN user null -> "0" in place', () => {
      const r = plan(config({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'] }), { ...prior, user: null });
      expect(r.requiresReplace).toBeUndefined();
      expect(r.planned).toMatchObject({ user: '0', ifindex: 12 });
    });

    test('GIVEN anyone_may_attach on an owned device WHEN planned THEN anyone_may_attach forces replacement, and the owner is planned to none', () => {
      const r = plan(config({ name: 'tun0', mode: 'tun', anyone_may_attach: true, addresses: ['10.0.0.1/24'] }), prior);
      expect(r.requiresReplace).toEqual([['anyone_may_attach']]);
      expect(r.planned).toMatchObject({ user: null, anyone_may_attach: true });
    });
  });

  describe('framing flags a program re-set (vnet_header, packet_info)', () => {
    const qemuLeft = state({ name: 'tap0', mode: 'tap', vnet_header: true, id: 'tap0', ifindex: 7 });
    const declared = config({ name: 'tap0', mode: 'tap', vnet_header: false });

    test('GIVEN Read saw no queue attached WHEN only vnet_header differs THEN in place: same ifindex, nothing forces replacement', () => {
      const r = plan(declared, qemuLeft, framingPrivate(true));
      expect(r.planned).toMatchObject({ vnet_header: false, ifindex: 7 });
      expect(r.requiresReplace).toBeUndefined();
    });

    test('GIVEN Read saw a queue attached WHEN only vnet_header differs THEN it forces replacement', () => {
      const r = plan(declared, qemuLeft, framingPrivate(false));
      expect(r.requiresReplace).toEqual([['vnet_header']]);
      expect(r.planned!.ifindex).toBe(UNKNOWN);
    });

    test('GIVEN no queue attached WHEN mode differs too THEN both force replacement', () => {
      const r = plan(config({ name: 'tap0', mode: 'tun', vnet_header: false }), qemuLeft, framingPrivate(true));
      expect(r.requiresReplace).toEqual([['mode'], ['vnet_header']]);
    });
  });
});
