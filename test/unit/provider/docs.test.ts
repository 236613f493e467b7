import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { renderAttributeDocs, withGeneratedSection } from '../../../src/provider/tunform/docs.js';
import { resourceSchema } from '../../../src/provider/tunform/schema.js';

describe('docs/terraform.md', () => {
  const doc = readFileSync(new URL('../../../docs/terraform.md', import.meta.url), 'utf8');

  test('GIVEN the schemas WHEN the reference tables are rendered THEN the document already has them (run npx tsx scripts/terraform-docs.ts)', () => {
    expect(withGeneratedSection(doc)).toBe(doc);
  });

  test('GIVEN every resource attribute WHEN the tables are rendered THEN each appears with its schema description', () => {
    const tables = renderAttributeDocs();
    for (const a of resourceSchema().attributes) expect(tables).toContain(`| \`${a.name}\` |`);
    for (const a of resourceSchema().attributes) expect(tables).toContain(a.description.replace(/\|/g, '\\|'));
  });
});
