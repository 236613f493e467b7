import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDriftHuman, renderPlanHuman, renderPlanJson } from '../../../src/plan/render.js';
import { DEVICE_FIELDS } from '../../../src/model.js';
import { DEVICE_KEYS } from '../../../src/spec/schema.js';
import { CHANGE_FIELDS, type Changes, type Plan } from '../../../src/plan/types.js';

/** Every change field set at once; `Required` makes the compiler insist a new field is added here too. */
const EVERY_CHANGE: Required<Changes> = {
  packetInfo: { from: true, to: false },
  vnetHeader: { from: true, to: false },
  user: { from: null, to: 1000 },
  group: { from: 5, to: 6 },
  mtu: { from: 1400, to: 1500 },
  up: { from: false, to: true },
  keepCarrier: { from: false, to: true },
  persist: { from: false, to: true },
  addresses: { add: ['10.0.0.1/24'], remove: ['10.0.0.9/24'] },
  marker: { from: 'tunform@a', to: 'tunform@b' },
};

const planWith = (changes: Changes): Plan => ({
  formatVersion: 1,
  netns: null,
  actions: [{ action: 'update', name: 'tun0', ifindex: 5, changes }],
  conflicts: [],
  summary: { create: 0, update: 1, replace: 0, delete: 0, conflict: 0 },
});

/** The key column of the first table after `marker` in docs/plan-json.md, in order. */
function documentedKeys(marker: string): string[] {
  const doc = readFileSync('docs/plan-json.md', 'utf8');
  const start = doc.indexOf(marker);
  expect(start, `docs/plan-json.md lost its table after ${marker}`).toBeGreaterThan(-1);
  const table = doc.slice(start).split('\n\n').find((block) => block.startsWith('|')) ?? '';
  return table
    .split('\n')
    .slice(2)
    .map((row) => /^\| `([A-Za-z]+)` \|/.exec(row)?.[1])
    .filter((k): k is string => k !== undefined);
}

describe('the one list of device fields', () => {
  it('GIVEN the schema, the plan JSON docs and the model WHEN their device keys are listed THEN all follow DEVICE_FIELDS', () => {
    expect(DEVICE_KEYS).toEqual([...DEVICE_FIELDS]);
    expect(documentedKeys('## Device')).toEqual([...DEVICE_FIELDS]);
  });
});

describe('the one list of change fields', () => {
  it('GIVEN an update changing every field WHEN rendered as JSON THEN every field survives, in the listed order', () => {
    const doc = JSON.parse(renderPlanJson(planWith(EVERY_CHANGE))) as { actions: Array<{ changes: Record<string, unknown> }> };
    const changes = doc.actions[0]!.changes;
    expect(Object.keys(changes)).toEqual([...CHANGE_FIELDS]);
    expect(changes).toEqual(EVERY_CHANGE);
  });

  for (const field of CHANGE_FIELDS) {
    it(`GIVEN an update changing only ${field} WHEN rendered THEN JSON, plan text and drift text all show it`, () => {
      const only = { [field]: EVERY_CHANGE[field] } as Changes;
      const p = planWith(only);
      const json = JSON.parse(renderPlanJson(p)) as { actions: Array<{ changes: Record<string, unknown> }> };
      expect(json.actions[0]!.changes).toEqual(only);
      const human = renderPlanHuman(p).split('\n').filter((l) => l.startsWith('    '));
      const drift = renderDriftHuman(p).split('\n').filter((l) => l.startsWith('drift: tun0: '));
      const lines = field === 'addresses' ? 2 : 1;
      expect(human).toHaveLength(lines);
      expect(drift).toHaveLength(lines);
      const word = field === 'addresses' ? 'address' : field;
      for (const l of [...human, ...drift]) expect(l).toContain(word);
    });
  }

  it('GIVEN docs/plan-json.md WHEN its changes table is read THEN it lists exactly the change fields, in order', () => {
    expect(documentedKeys('`changes` keys')).toEqual([...CHANGE_FIELDS]);
  });
});
