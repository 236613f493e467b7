import { describe, expect, it } from 'vitest';
import { renderPlanJson } from '../../../src/plan/render.js';
import type { Plan } from '../../../src/plan/types.js';
import { MIXED_PLAN } from './plans.js';

describe('renderPlanJson', () => {
  it('GIVEN a plan built with keys in another order WHEN rendered THEN keys follow the documented order', () => {
    const scrambled = {
      summary: { conflict: 0, delete: 0, replace: 0, update: 1, create: 0 },
      conflicts: [],
      actions: [
        { changes: { mtu: { to: 1500, from: 1400 }, user: { to: 1, from: 0 } }, ifindex: 5, name: 'tun0', action: 'update' },
      ],
      netns: null,
      formatVersion: 1,
    } as unknown as Plan;
    expect(renderPlanJson(scrambled)).toBe(
      [
        '{',
        '  "formatVersion": 1,',
        '  "netns": null,',
        '  "summary": {',
        '    "create": 0,',
        '    "update": 1,',
        '    "replace": 0,',
        '    "delete": 0,',
        '    "conflict": 0',
        '  },',
        '  "actions": [',
        '    {',
        '      "action": "update",',
        '      "name": "tun0",',
        '      "ifindex": 5,',
        '      "changes": {',
        '        "user": {',
        '          "from": 0,',
        '          "to": 1',
        '        },',
        '        "mtu": {',
        '          "from": 1400,',
        '          "to": 1500',
        '        }',
        '      }',
        '    }',
        '  ],',
        '  "conflicts": []',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('GIVEN a replace and a create WHEN rendered THEN actions keep their documented key order and unset fields are absent', () => {
    const doc = JSON.parse(renderPlanJson(MIXED_PLAN)) as { actions: Array<Record<string, unknown>> };
    const [del, replace, create] = doc.actions;
    expect(Object.keys(del!)).toEqual(['action', 'name', 'ifindex', 'reason', 'attachedPids']);
    expect(Object.keys(replace!)).toEqual(['action', 'name', 'ifindex', 'reasons', 'attachedPids', 'device']);
    expect(Object.keys(create!)).toEqual(['action', 'name', 'device']);
    expect(Object.keys(create!.device as object)).toEqual([
      'name', 'mode', 'multiQueue', 'keepCarrier', 'packetInfo', 'vnetHeader', 'mtu', 'up', 'addresses',
    ]);
  });
});
