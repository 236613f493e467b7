/**
 * The rule that a live owner defeats a spec declaring only `group`
 * (ownerBlocksGroup in src/model.ts): the kernel requires a set owner and a set
 * group both to match an unprivileged attacher, and cannot clear an owner.
 */
import { describe, expect, it } from 'vitest';
import { ownerBlocksGroup, type LiveDevice } from '../../../src/model.js';
import { creationReasons } from '../../../src/plan/diff.js';
import { plan } from '../../../src/plan/plan.js';
import { renderDriftHuman, renderPlanHuman, renderPlanJson } from '../../../src/plan/render.js';
import { decideAdoption, describeAdoption } from '../../../src/plan/adopt.js';
import { liveDevice } from '../support/live-device.js';
import { deviceSpec as spec } from '../support/device-spec.js';

const state = (...devices: LiveDevice[]) => ({ devices, processesComplete: true });

describe('ownerBlocksGroup', () => {
  it('GIVEN each combination of declared user/group and a live owner WHEN judged THEN only a group alone with an owner is blocked', () => {
    expect(ownerBlocksGroup({ group: 104 }, { user: 0 })).toBe(true);
    expect(ownerBlocksGroup({ group: 104 }, { user: 1000 })).toBe(true);
    expect(ownerBlocksGroup({ group: 104 }, {})).toBe(false);
    expect(ownerBlocksGroup({ user: 1000, group: 104 }, { user: 0 })).toBe(false);
    expect(ownerBlocksGroup({ user: 1000 }, { user: 0 })).toBe(false);
    expect(ownerBlocksGroup({}, { user: 0 })).toBe(false);
  });

  it('GIVEN a private device (owner root) WHEN the spec declares only group THEN the replace reason is user 0 -> null', () => {
    expect(creationReasons(spec('vm0', { group: 104 }), liveDevice('vm0', { user: 0 }))).toEqual({ user: { from: 0, to: null } });
  });

  it('GIVEN a device without an owner WHEN the spec declares only group THEN no reason: the group is set in place', () => {
    const p = plan({ devices: [spec('vm0', { group: 104 })] }, state(liveDevice('vm0', { user: undefined })));
    expect(creationReasons(spec('vm0', { group: 104 }), liveDevice('vm0', { user: undefined }))).toEqual({});
    expect(p.actions).toEqual([{ action: 'update', name: 'vm0', ifindex: 5, changes: { group: { from: null, to: 104 } } }]);
  });

  it('GIVEN qemu attached to a private device WHEN the spec declares only group THEN a replace naming qemu, refused without --force', () => {
    const live = liveDevice('vm0', { user: 0, attachedPids: [4321], carrier: true });
    const p = plan({ devices: [spec('vm0', { group: 104 })] }, state(live));
    expect(p.actions).toMatchObject([{ action: 'replace', name: 'vm0', reasons: { user: { from: 0, to: null } }, attachedPids: [4321] }]);
    expect(p.actions[0]).not.toHaveProperty('flagsHeldBy');
  });

  it('GIVEN the replace WHEN rendered THEN plan, drift and JSON say the owner blocks the group and cannot be cleared, in these exact words', () => {
    const p = plan({ devices: [spec('vm0', { group: 104 })] }, state(liveDevice('vm0', { user: 0 })));
    expect(renderPlanHuman(p)).toBe(
      "-/+ replace vm0 (user: 0 -> (none): owner 0 blocks the group's other members and the kernel cannot clear an owner)\n\n" +
        'Plan: 0 to create, 0 to update, 1 to replace, 0 to delete.\n',
    );
    expect(renderDriftHuman(p)).toBe(
      "drift: vm0: user is 0, spec says (none) (needs replace: owner 0 blocks the group's other members and the kernel cannot clear an owner)\n" +
        'Drift: 1 device(s) differ from the spec.\n',
    );
    expect(JSON.parse(renderPlanJson(p)).actions[0].reasons).toEqual({ user: { from: 0, to: null } });
  });

  it('GIVEN an unmarked device with an owner WHEN import adopts it for a spec declaring only group THEN refused, saying why in the same words', () => {
    const d = decideAdoption({ name: 'vm0', spec: spec('vm0', { group: 104 }) }, state(liveDevice('vm0', { user: 1000, group: 104, alias: undefined, managed: false, ifindex: 7 })));
    expect(d).toEqual({ kind: 'mismatch', name: 'vm0', ifindex: 7, reasons: { user: { from: 1000, to: null } } });
    expect(describeAdoption(d)).toBe(
      "'vm0' cannot be adopted: it differs from the spec in what the kernel cannot change in place (user: 1000 (live) vs (none) (spec): owner 1000 blocks the group's other members and the kernel cannot clear an owner), so only a replace could give it the spec: delete the device, or change the spec to match",
    );
  });
});
