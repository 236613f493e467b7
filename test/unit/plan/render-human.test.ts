import { describe, expect, it } from 'vitest';
import { renderPlanHuman } from '../../../src/plan/render.js';
import type { Plan } from '../../../src/plan/types.js';
import { EMPTY_PLAN, MIXED_PLAN } from './plans.js';

describe('renderPlanHuman', () => {
  it('GIVEN an empty plan WHEN rendered THEN it says there is nothing to do', () => {
    expect(renderPlanHuman(EMPTY_PLAN)).toBe('No changes. Live state matches the spec.\n');
  });

  it('GIVEN one action of each kind and a conflict WHEN rendered THEN every line reads terraform-style', () => {
    expect(renderPlanHuman(MIXED_PLAN)).toBe(
      [
        '- delete old0 (pruned)',
        '-/+ replace tun1 (multiQueue: false -> true)',
        '    attached processes: 1234 (refuses without --force)',
        '+ create tun-test (tun, multiQueue, keepCarrier)',
        '    + user = 0 (private: only CAP_NET_ADMIN attaches)',
        '    + mtu = 1500',
        '    + addresses = [172.31.0.1/24]',
        '~ update tun0',
        '    ~ user: (none) -> 1000',
        '    ~ mtu: 1400 -> 1500',
        '    + address 10.0.0.1/24',
        '    - address 10.0.0.9/24',
        '    ~ marker: tunform -> tunform@g2',
        "! conflict tap9: device 'tap9' exists but was not created by tunform (no 'tunform' alias); tunform will not modify it",
        '',
        'Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 1 conflict.',
        '',
      ].join('\n'),
    );
  });

  it('GIVEN a create of a down tap with owner and no addresses WHEN rendered THEN only set attributes appear', () => {
    const p: Plan = {
      ...EMPTY_PLAN,
      actions: [
        {
          action: 'create',
          name: 'tap0',
          device: { name: 'tap0', mode: 'tap', multiQueue: false, keepCarrier: false, packetInfo: true, vnetHeader: true, user: 0, group: 100, up: false, addresses: [] },
        },
      ],
      summary: { ...EMPTY_PLAN.summary, create: 1 },
    };
    expect(renderPlanHuman(p)).toBe(
      [
        '+ create tap0 (tap, packetInfo, vnetHeader)',
        '    + user = 0',
        '    + group = 100',
        '    + up = false',
        '    + addresses = []',
        '',
        'Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.',
        '',
      ].join('\n'),
    );
  });

  it('GIVEN a destroy with attached pids WHEN rendered THEN the reason and the refusal note show', () => {
    const p: Plan = {
      ...EMPTY_PLAN,
      actions: [{ action: 'delete', name: 'tun0', ifindex: 5, reason: 'destroy', attachedPids: [10, 20] }],
      summary: { ...EMPTY_PLAN.summary, delete: 1 },
    };
    expect(renderPlanHuman(p)).toBe(
      '- delete tun0 (destroy)\n    attached processes: 10, 20 (refuses without --force)\n\nPlan: 0 to create, 0 to update, 0 to replace, 1 to delete.\n',
    );
  });

  it('GIVEN color WHEN rendered THEN headers and attribute lines carry ANSI codes and the summary does not', () => {
    const out = renderPlanHuman(MIXED_PLAN, { color: true });
    expect(out).toContain('\x1b[31m- delete old0 (pruned)\x1b[0m\n');
    expect(out).toContain('\x1b[32m+ create tun-test (tun, multiQueue, keepCarrier)\x1b[0m\n');
    expect(out).toContain('\x1b[33m~ update tun0\x1b[0m\n');
    expect(out).toContain('\x1b[31m    - address 10.0.0.9/24\x1b[0m\n');
    expect(out).toContain('    attached processes: 1234 (refuses without --force)\n');
    expect(out.endsWith('\nPlan: 1 to create, 1 to update, 1 to replace, 1 to delete, 1 conflict.\n')).toBe(true);
  });

  it('GIVEN no color option WHEN rendered THEN no escape character appears', () => {
    expect(renderPlanHuman(MIXED_PLAN)).not.toContain('\x1b');
  });
});
