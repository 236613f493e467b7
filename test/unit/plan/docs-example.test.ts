import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from './fixture-case.js';

const DOC = new URL('../../../docs/plan-json.md', import.meta.url).pathname;

describe('docs/plan-json.md', () => {
  it('GIVEN the example in the docs WHEN compared with the docs-example golden THEN they are byte-identical', () => {
    const example = /## Example[\s\S]*?```json\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))?.[1];
    expect(example).toBe(readFileSync(`${FIXTURES_DIR}docs-example/plan.json`, 'utf8'));
  });
});
