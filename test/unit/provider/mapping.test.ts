import { describe, expect, test } from 'vitest';
import { DEVICE_KEYS } from '../../../src/spec/schema.js';
import { DEVICE_ATTRIBUTES, toCamelCase, toSnakeCase } from '../../../src/provider/tunform/names.js';
import { dataSourceSchema, deviceAttributes, providerSchema, resourceSchema } from '../../../src/provider/tunform/schema.js';
import { deviceSchema } from '../../../src/spec/schema.js';

describe('camelCase <-> snake_case', () => {
  test('GIVEN every spec key WHEN mapped to an attribute and back THEN the key comes back', () => {
    for (const key of DEVICE_KEYS) expect(toCamelCase(toSnakeCase(key))).toBe(key);
  });

  test("GIVEN the spec's keys WHEN mapped THEN the attributes are the issue's snake_case names", () => {
    expect(DEVICE_ATTRIBUTES.map((a) => a.attribute)).toEqual([
      'name', 'mode', 'multi_queue', 'keep_carrier', 'packet_info', 'vnet_header', 'user', 'group', 'anyone_may_attach', 'mtu', 'up', 'addresses',
    ]);
  });
});

describe('resource schema derived from the spec', () => {
  const byName = new Map(resourceSchema().attributes.map((a) => [a.name, a]));

  test('GIVEN the spec WHEN the schema is derived THEN name and mode are required strings', () => {
    expect(byName.get('name')).toMatchObject({ type: 'string', required: true });
    expect(byName.get('mode')).toMatchObject({ type: 'string', required: true });
  });

  test('GIVEN defaulted spec keys WHEN derived THEN they are optional + computed bools and remember the default', () => {
    for (const attr of ['multi_queue', 'keep_carrier', 'packet_info', 'vnet_header', 'anyone_may_attach', 'up']) {
      expect(byName.get(attr)).toMatchObject({ type: 'bool', optional: true, computed: true });
    }
    expect(Object.fromEntries(deviceAttributes().filter((a) => a.default !== undefined).map((a) => [a.attribute, a.default]))).toEqual({
      multi_queue: false, keep_carrier: false, packet_info: false, vnet_header: false, anyone_may_attach: false, up: true,
    });
  });

  test('GIVEN optional spec keys WHEN derived THEN they are optional, not computed (null: not managed)', () => {
    expect(byName.get('group')).toEqual(expect.objectContaining({ type: 'string', optional: true }));
    expect(byName.get('group')?.computed).toBeUndefined();
    expect(byName.get('mtu')).toMatchObject({ type: 'number', optional: true });
    expect(byName.get('mtu')?.computed).toBeUndefined();
    expect(byName.get('addresses')).toMatchObject({ type: { set: 'string' }, optional: true });
  });

  test('GIVEN user, whose absence means root or no owner by the other keys WHEN derived THEN optional and computed (the plan fills it in)', () => {
    expect(byName.get('user')).toEqual(expect.objectContaining({ type: 'string', optional: true, computed: true }));
  });

  test('GIVEN the schema WHEN read THEN id, ifindex and managed are computed only', () => {
    for (const attr of ['id', 'ifindex', 'managed']) {
      const a = byName.get(attr)!;
      expect(a.computed).toBe(true);
      expect(a.optional ?? a.required).toBeUndefined();
    }
  });

  test("GIVEN a spec key WHEN derived THEN its description is the spec's own", () => {
    expect(byName.get('mtu')?.description).toBe(deviceSchema.shape.mtu.meta()?.description);
    expect(byName.get('multi_queue')?.description).toBe(deviceSchema.shape.multiQueue.meta()?.description);
    for (const a of resourceSchema().attributes) expect(a.description, a.name).not.toBe('');
  });

  test('GIVEN the derived attributes WHEN asked which force replacement THEN name and the creation flags do', () => {
    expect(deviceAttributes().filter((a) => a.forcesReplacement).map((a) => a.attribute)).toEqual([
      'name', 'mode', 'multi_queue', 'packet_info', 'vnet_header',
    ]);
  });
});

describe('provider and data source schemas', () => {
  test('GIVEN the provider schema WHEN read THEN netns, helper_path, force and the SSH settings are optional and described', () => {
    expect(providerSchema().attributes.map((a) => [a.name, a.type, a.optional, a.description !== ''])).toEqual([
      ['netns', 'string', true, true],
      ['helper_path', 'string', true, true],
      ['force', 'bool', true, true],
      ['host', 'string', true, true],
      ['known_hosts', 'string', true, true],
      ['private_key_path', 'string', true, true],
    ]);
  });

  test("GIVEN the data source schema WHEN read THEN each device carries LiveDevice's fields in snake_case", () => {
    const devices = dataSourceSchema().attributes.find((a) => a.name === 'devices')!;
    const object = (devices.type as { list: { object: Record<string, unknown> } }).list.object;
    expect(Object.keys(object)).toEqual(expect.arrayContaining(['name', 'ifindex', 'multi_queue', 'keep_carrier', 'attached_pids', 'holder_pids', 'num_queues']));
    expect(devices.computed).toBe(true);
  });
});
