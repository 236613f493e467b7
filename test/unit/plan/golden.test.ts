import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/plan/plan.js';
import { renderDriftHuman, renderPlanHuman, renderPlanJson } from '../../../src/plan/render.js';
import { listCases, loadCase } from './fixture-case.js';

// UPDATE_GOLDEN=1 rewrites plan.json, plan.txt and drift.txt; review every rewritten file by hand before committing.
const updating = process.env.UPDATE_GOLDEN === '1';

describe('golden plans (test/fixtures/<case>)', () => {
  const cases = listCases();

  it('GIVEN the fixtures directory THEN it holds the documented minimum of cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of cases) {
    it(`GIVEN case ${name} WHEN planned THEN the plan equals plan.json`, () => {
      const c = loadCase(name);
      const rendered = renderPlanJson(plan(c.desired, c.live, c.options));
      if (updating) writeFileSync(c.planPath, rendered);
      expect(existsSync(c.planPath), `${c.planPath} missing; run with UPDATE_GOLDEN=1 and review`).toBe(true);
      const golden = readFileSync(c.planPath, 'utf8');
      expect(JSON.parse(rendered)).toEqual(JSON.parse(golden));
      // Byte equality too: key order and formatting are part of the documented format.
      expect(rendered).toBe(golden);
    });

    it(`GIVEN case ${name} WHEN rendered for people THEN plan.txt and drift.txt match`, () => {
      const c = loadCase(name);
      const p = plan(c.desired, c.live, c.options);
      for (const [file, text] of [
        ['plan.txt', renderPlanHuman(p)],
        ['drift.txt', renderDriftHuman(p)],
      ] as const) {
        const path = `${c.dir}/${file}`;
        if (updating) writeFileSync(path, text);
        expect(readFileSync(path, 'utf8'), path).toBe(text);
      }
    });

    it(`GIVEN case ${name} WHEN planned twice THEN both plans are identical`, () => {
      const c = loadCase(name);
      expect(renderPlanJson(plan(c.desired, c.live, c.options))).toBe(renderPlanJson(plan(c.desired, c.live, c.options)));
    });
  }
});
