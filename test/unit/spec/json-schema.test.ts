import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { specJsonSchema } from '../../../src/spec/index.js';

const committed = fileURLToPath(new URL('../../../schema/tunform.schema.json', import.meta.url));
const generated = JSON.stringify(specJsonSchema(), null, 2) + '\n';

describe('published JSON Schema', () => {
  // Regenerate after changing src/spec/schema.ts: UPDATE_SCHEMA=1 npx vitest run test/unit/spec/json-schema.test.ts
  if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committed, generated);

  test('GIVEN the zod schema WHEN rendered as JSON Schema THEN it equals the committed schema/tunform.schema.json', () => {
    expect(readFileSync(committed, 'utf8')).toBe(generated);
  });

  test('GIVEN the JSON Schema WHEN read THEN it states the device rules users see in editors', () => {
    const schema = specJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: { devices: { items: { required: string[]; properties: Record<string, Record<string, unknown>> } } };
    };
    const device = schema.properties.devices.items;
    expect(schema.required).toEqual(['devices']);
    expect(schema.additionalProperties).toBe(false);
    expect(device.required).toEqual(['name', 'mode']);
    expect(device.properties.mtu).toMatchObject({ type: 'integer', minimum: 68, maximum: 65535 });
    expect(device.properties.name).toMatchObject({ type: 'string', minLength: 1, maxLength: 15 });
    expect(device.properties.up).toMatchObject({ type: 'boolean', default: true });
    expect(device.properties.mode).toMatchObject({ enum: ['tun', 'tap'] });
  });
});
