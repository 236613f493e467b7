import { describe, expect, it } from 'vitest';
import { renderDriftHuman, renderDriftJson } from '../../../src/plan/render.js';
import type { Plan } from '../../../src/plan/types.js';
import { EMPTY_PLAN, MIXED_PLAN } from './plans.js';

describe('renderDriftHuman', () => {
  it('GIVEN an empty plan WHEN rendered THEN it says no drift', () => {
    expect(renderDriftHuman(EMPTY_PLAN)).toBe('No drift.\n');
  });

  it('GIVEN one action of each kind and a conflict WHEN rendered THEN each difference is one grep-able line', () => {
    expect(renderDriftHuman(MIXED_PLAN)).toBe(
      [
        'drift: old0: managed by tunform but not in the spec',
        'drift: tun1: multiQueue is false, spec says true (needs replace)',
        'drift: tun-test: missing',
        'drift: tun0: user is (none), spec says 1000',
        'drift: tun0: mtu is 1400, spec says 1500',
        'drift: tun0: address 10.0.0.1/24 missing',
        'drift: tun0: address 10.0.0.9/24 not in the spec',
        'drift: tun0: marker is tunform, spec says tunform@g2',
        "drift: tap9: conflict: device 'tap9' exists but was not created by tunform (no 'tunform' alias); tunform will not modify it",
        'Drift: 5 device(s) differ from the spec.',
        '',
      ].join('\n'),
    );
  });

  it('GIVEN several changes on one device WHEN rendered THEN the device counts once', () => {
    const p: Plan = {
      ...EMPTY_PLAN,
      actions: [
        {
          action: 'update',
          name: 'tun0',
          ifindex: 5,
          changes: { up: { from: false, to: true }, keepCarrier: { from: false, to: true } },
        },
      ],
      summary: { ...EMPTY_PLAN.summary, update: 1 },
    };
    expect(renderDriftHuman(p)).toBe(
      'drift: tun0: up is false, spec says true\ndrift: tun0: keepCarrier is false, spec says true\nDrift: 1 device(s) differ from the spec.\n',
    );
  });
});

describe('renderDriftJson', () => {
  it('GIVEN a plan with drift WHEN rendered THEN the verdict and drifted names lead the plan document', () => {
    const doc = JSON.parse(renderDriftJson(MIXED_PLAN)) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['formatVersion', 'netns', 'inSync', 'drifted', 'summary', 'actions', 'conflicts']);
    expect(doc.inSync).toBe(false);
    expect(doc.drifted).toEqual(['old0', 'tap9', 'tun-test', 'tun0', 'tun1']);
  });

  it('GIVEN an empty plan WHEN rendered THEN it is in sync with nothing drifted', () => {
    expect(renderDriftJson(EMPTY_PLAN)).toBe(
      '{\n  "formatVersion": 1,\n  "netns": null,\n  "inSync": true,\n  "drifted": [],\n  "summary": {\n    "create": 0,\n    "update": 0,\n    "replace": 0,\n    "delete": 0,\n    "conflict": 0\n  },\n  "actions": [],\n  "conflicts": []\n}\n',
    );
  });
});
