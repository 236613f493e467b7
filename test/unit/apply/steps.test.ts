import { describe, expect, it } from 'vitest';
import type { DeviceSpec } from '../../../src/model.js';
import type { Plan } from '../../../src/plan/types.js';
import { describeStep, planSteps } from '../../../src/apply/steps.js';
import { ipBatchLineOf, helperOpOf, holderLineOf, isNetlinkStep, isTunStep, isHolderStep } from '../../../src/apply/step-ops.js';
import { formatOp } from '../../../src/apply/helper-client.js';
import { checkLine } from '../../../src/apply/preauthorize.js';

const base = { mode: 'tun', multiQueue: true, keepCarrier: true, packetInfo: false, vnetHeader: false, up: true } as const;
const dev = (name: string, extra: Partial<DeviceSpec> = {}): DeviceSpec => ({ ...base, name, ...extra });

function planOf(actions: Plan['actions']): Plan {
  const count = (k: string) => actions.filter((a) => a.action === k).length;
  return {
    formatVersion: 1,
    netns: 'lab',
    actions,
    conflicts: [],
    summary: { create: count('create'), update: count('update'), replace: count('replace'), delete: count('delete'), conflict: 0 },
  };
}

describe('planSteps', () => {
  it('GIVEN a delete, a replace, a create and an update WHEN turned into steps THEN unlinks precede creates in one helper phase, holds precede releases, and netlink comes last', () => {
    // GIVEN
    const replaced = dev('r0', { packetInfo: true, addresses: ['10.0.0.1/24'] });
    const created = dev('c0', { mtu: 1400, addresses: ['10.0.1.1/24'] });
    const updated = dev('u0');
    const plan = planOf([
      { action: 'delete', name: 'd0', ifindex: 2, reason: 'pruned', attachedPids: [] },
      { action: 'replace', name: 'r0', ifindex: 3, reasons: { packetInfo: { from: false, to: true } }, device: replaced, attachedPids: [] },
      { action: 'create', name: 'c0', device: created },
      { action: 'update', name: 'u0', ifindex: 4, changes: { mtu: { from: 1500, to: 9000 }, addresses: { add: ['10.0.2.1/24'], remove: ['10.0.2.9/24'] } } },
    ]);
    // WHEN
    const steps = planSteps(plan, [replaced, created, updated], new Set(['d0', 'r0']), 'g1');
    // THEN
    expect(steps.map(describeStep)).toEqual([
      'unlink d0',
      'unlink r0',
      'create r0',
      'create c0',
      'hold r0',
      'hold c0',
      'release d0',
      'address-add r0 10.0.0.1/24',
      'up r0',
      'mtu c0 1400',
      'address-add c0 10.0.1.1/24',
      'up c0',
      'mtu u0 9000',
      'address-del u0 10.0.2.9/24',
      'address-add u0 10.0.2.1/24',
    ]);
  });

  it('GIVEN an update whose only change is vnetHeader WHEN turned into steps THEN one helper set attaches with the declared flags and nothing else runs', () => {
    // GIVEN a device declared without vnet headers that qemu left with them
    const d = dev('vm0', { mode: 'tap', multiQueue: false, keepCarrier: false });
    const plan = planOf([{ action: 'update', name: 'vm0', ifindex: 4, changes: { vnetHeader: { from: true, to: false } } }]);
    // WHEN
    const steps = planSteps(plan, [d], new Set());
    // THEN
    expect(steps).toEqual([{ phase: 'tun', op: 'set', name: 'vm0', flags: { mode: 'tap', multiQueue: false, packetInfo: false, vnetHeader: false } }]);
    expect(formatOp(helperOpOf(steps[0] as never))).toBe(formatOp({ op: 'set', name: 'vm0', mode: 'tap', multiQueue: false, packetInfo: false, vnetHeader: false }));
  });

  it('GIVEN point-to-point address steps WHEN spelled for the helper and for ip THEN both carry LOCAL peer PEER/PREFIX', () => {
    const add = { phase: 'netlink', op: 'address-add', name: 'tun0', cidr: '10.0.0.1 peer 10.0.0.2/32' } as const;
    const del = { phase: 'netlink', op: 'address-del', name: 'tun0', cidr: 'fd00::1 peer fd00::2/128' } as const;
    expect(formatOp(helperOpOf(add))).toBe('addr-add tun0 10.0.0.1 peer 10.0.0.2/32');
    expect(formatOp(helperOpOf(del))).toBe('addr-del tun0 fd00::1 peer fd00::2/128');
    expect(ipBatchLineOf(add)).toBe('address add 10.0.0.1 peer 10.0.0.2/32 dev tun0');
  });

  it('GIVEN a create with a generation WHEN spelled for each program THEN the helper, holder and ip lines carry the same values', () => {
    const d = dev('c0', { user: 65534, mtu: 1400, addresses: ['fd00::1/64'] });
    const steps = planSteps(planOf([{ action: 'create', name: 'c0', device: d }]), [d], new Set(), 'abc');
    expect(steps.filter(isTunStep).map((s) => formatOp(helperOpOf(s)))).toEqual(['create c0 tun mq user=65534 alias=tunform@abc']);
    expect(steps.filter(isHolderStep).map(holderLineOf)).toEqual(['hold c0 tun mq']);
    expect(steps.filter(isNetlinkStep).map(ipBatchLineOf)).toEqual(['link set dev c0 mtu 1400', 'address add fd00::1/64 dev c0', 'link set dev c0 up']);
  });

  it('GIVEN an owner change of a held single-queue device WHEN turned into steps THEN the holder makes it through its fd, and its line and ACL check say the same', () => {
    const d = dev('sq0', { multiQueue: false, user: 1000, group: 1000 });
    const plan = planOf([{ action: 'update', name: 'sq0', ifindex: 5, changes: { user: { from: 0, to: 1000 }, group: { from: null, to: 1000 }, persist: { from: false, to: true } } }]);
    const steps = planSteps(plan, [d], new Set(['sq0']));
    expect(steps.map(describeStep)).toEqual(['set sq0 user=1000 group=1000 persist']);
    const [step] = steps.filter(isHolderStep);
    expect(step && holderLineOf(step)).toBe('set sq0 user=1000 group=1000 persist=1');
    expect(steps.map(checkLine)).toEqual(['set sq0 tun - user=1000 group=1000 persist=1']);
    // AND the same change on a device nobody holds goes to the helper
    expect(planSteps(plan, [d], new Set()).filter(isTunStep).map((s) => formatOp(helperOpOf(s)))).toEqual(['set sq0 tun - user=1000 group=1000 persist=1']);
  });
});
