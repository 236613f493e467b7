import { encode, decode, ExtData } from '@msgpack/msgpack';
import { describe, expect, test } from 'vitest';
import { UNKNOWN, type CtyObject, type CtyType, type CtyValue } from '../../../src/provider/contract.js';
import { decodeMsgpack, encodeMsgpack } from '../../../src/provider/protocol/cty-msgpack.js';
import { decodeJson } from '../../../src/provider/protocol/cty-json.js';
import { typeFromJson, typeToJson } from '../../../src/provider/protocol/cty-type.js';

const netdev: CtyType = {
  object: {
    name: 'string',
    mtu: 'number',
    up: 'bool',
    addresses: { set: 'string' },
    tags: { map: 'string' },
    queues: { list: { object: { index: 'number', flags: { set: 'string' } } } },
  },
};

const bytes = (...b: number[]) => Uint8Array.from(b);
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('cty msgpack codec', () => {
  test('GIVEN the bytes Terraform sends for an unknown (fixext1 type 0) WHEN decoded as any type THEN it is UNKNOWN', () => {
    for (const type of ['string', 'number', 'bool', { set: 'string' }, netdev] as CtyType[]) {
      expect(decodeMsgpack(bytes(0xd4, 0x00, 0x00), type)).toBe(UNKNOWN);
    }
  });

  test('GIVEN a refined unknown (extension 12 with a payload) WHEN decoded THEN it is UNKNOWN and the refinement is ignored', () => {
    const refined = encode(new ExtData(12, encode({ 2: 'tun' })));
    expect(decodeMsgpack(refined, 'string')).toBe(UNKNOWN);
  });

  test('GIVEN an object with an unknown attribute WHEN encoded THEN that attribute is extension 0 and the rest are plain', () => {
    const value = { name: 'tun0', mtu: UNKNOWN, up: null, addresses: ['10.0.0.1/24'], tags: null, queues: null };
    const raw = decode(encodeMsgpack(value, netdev)) as Record<string, unknown>;
    expect(raw.mtu).toBeInstanceOf(ExtData);
    expect((raw.mtu as ExtData).type).toBe(0);
    expect(raw).toMatchObject({ name: 'tun0', up: null, addresses: ['10.0.0.1/24'], tags: null, queues: null });
  });

  test('GIVEN nested objects, sets, lists, maps, nulls and unknowns WHEN encoded and decoded THEN the value is unchanged', () => {
    const value: CtyValue = {
      name: 'tap0',
      mtu: 1500,
      up: true,
      addresses: ['10.0.0.1/24', 'fd00::1/64'],
      tags: { role: 'vpn', __proto__: 'kept as a key' },
      queues: [
        { index: 0, flags: ['detached'] },
        { index: 1, flags: UNKNOWN },
        { index: null, flags: [] },
      ],
    };
    const back = decodeMsgpack(encodeMsgpack(value, netdev), netdev);
    expect(back).toEqual(value);
    expect(Object.getPrototypeOf((back as { tags: object }).tags)).toBe(Object.prototype);
  });

  test('GIVEN an object missing attributes on the wire WHEN decoded THEN every attribute is present, the missing ones null', () => {
    expect(decodeMsgpack(encode({ name: 'tun1' }), netdev)).toEqual({
      name: 'tun1', mtu: null, up: null, addresses: null, tags: null, queues: null,
    });
  });

  test('GIVEN an attribute the schema lacks WHEN decoded THEN the error names it', () => {
    expect(() => decodeMsgpack(encode({ name: 'tun1', colour: 'red' }), netdev)).toThrow(
      "the value has attributes the schema does not have: 'colour'",
    );
  });

  test('GIVEN a null object WHEN encoded and decoded THEN it is null (msgpack nil)', () => {
    expect(encodeMsgpack(null, netdev)).toEqual(bytes(0xc0));
    expect(decodeMsgpack(bytes(0xc0), netdev)).toBeNull();
  });

  test('GIVEN numbers as int, uint64, float64 and decimal strings WHEN decoded THEN each is the JS number', () => {
    expect(decodeMsgpack(encode(1500), 'number')).toBe(1500);
    expect(decodeMsgpack(encode(-7), 'number')).toBe(-7);
    expect(decodeMsgpack(encode(0.5), 'number')).toBe(0.5);
    // uint64 0x0020000000000000 = 2^53, beyond a 32-bit integer
    expect(decodeMsgpack(bytes(0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0), 'number')).toBe(2 ** 53);
    expect(decodeMsgpack(encode('123456789012345678901234567890'), 'number')).toBe(1.2345678901234568e29);
  });

  test('GIVEN a number string that is not finite WHEN decoded THEN the error shows the value', () => {
    expect(() => decodeMsgpack(encode({ mtu: '1e400' }), netdev)).toThrow('mtu ("1e400") is not a valid number (a finite number is allowed)');
  });

  test('GIVEN integers and floats WHEN encoded THEN small integers are msgpack ints and fractions float64', () => {
    expect(encodeMsgpack(68, 'number')).toEqual(bytes(68));
    expect(encodeMsgpack(65535, 'number')).toEqual(bytes(0xcd, 0xff, 0xff));
    expect(encodeMsgpack(0.25, 'number')[0]).toBe(0xcb);
    expect(decodeMsgpack(encodeMsgpack(2 ** 60, 'number'), 'number')).toBe(2 ** 60);
  });

  test('GIVEN a value of the wrong kind WHEN encoded THEN the error names the attribute path and the value', () => {
    expect(() => encodeMsgpack({ name: 'x', mtu: 'big', up: null, addresses: null, tags: null, queues: null }, netdev)).toThrow(
      'mtu ("big") is not a valid number',
    );
    expect(() => decodeMsgpack(encode({ queues: [{ index: 'zero' }] }), netdev)).toThrow('queues[0].index ("zero") is not a valid number');
  });

  test('GIVEN an object without one of its attributes WHEN encoded THEN it is refused as a provider bug', () => {
    expect(() => encodeMsgpack({ name: 'x' }, netdev)).toThrow('mtu is missing: objects must carry every attribute of their schema');
  });

  test('GIVEN dynamic values WHEN encoded THEN they are [type JSON bytes, value]; null and unknown stay plain', () => {
    const raw = decode(encodeMsgpack([{ list: 'number' } as unknown as CtyValue, [1, 2]], 'dynamic')) as [Uint8Array, unknown];
    expect(new TextDecoder().decode(raw[0])).toBe('["list","number"]');
    expect(raw[1]).toEqual([1, 2]);
    expect(decodeMsgpack(encode([json('string'), 'hi']), 'dynamic')).toEqual(['string', 'hi']);
    expect(decodeMsgpack(encode([json(['object', { a: 'bool' }]), { a: true }]), 'dynamic')).toEqual([{ object: { a: 'bool' } }, { a: true }]);
    expect(decodeMsgpack(bytes(0xc0), 'dynamic')).toBeNull();
    expect(decodeMsgpack(bytes(0xd4, 0, 0), 'dynamic')).toBe(UNKNOWN);
  });

});

describe('cty JSON codec', () => {
  test('GIVEN raw state JSON from an older schema WHEN decoded with dropExtraAttributes THEN old attributes go and new ones are null', () => {
    const state = json({ name: 'tun0', mtu: 1400, legacy_flag: true, addresses: ['10.1.0.1/24'] });
    expect(decodeJson(state, netdev, { dropExtraAttributes: true })).toEqual({
      name: 'tun0', mtu: 1400, up: null, addresses: ['10.1.0.1/24'], tags: null, queues: null,
    });
    expect(() => decodeJson(state, netdev)).toThrow("'legacy_flag'");
  });

  test('GIVEN a dynamic object with an attribute called __proto__ WHEN decoded THEN it stays an ordinary attribute (msgpack refuses such keys itself)', () => {
    const decoded = decodeJson(new TextEncoder().encode('{"type":["object",{"__proto__":"string"}],"value":{"__proto__":"x"}}'), 'dynamic') as [CtyValue, CtyObject];
    expect(Object.getPrototypeOf(decoded[1])).toBe(Object.prototype);
    expect(Object.keys(decoded[1])).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(decoded[1], '__proto__')?.value).toBe('x');
  });

  test('GIVEN a dynamic value in JSON WHEN decoded THEN it is [type, value]', () => {
    expect(decodeJson(json({ type: ['set', 'string'], value: ['a'] }), 'dynamic')).toEqual([{ set: 'string' }, ['a']]);
  });

  test('GIVEN text that is not JSON WHEN decoded THEN the error says so', () => {
    expect(() => decodeJson(new TextEncoder().encode('{nope'), netdev)).toThrow('a JSON value from Terraform is not valid JSON');
  });
});

describe('cty type constraints', () => {
  test('GIVEN the contract types WHEN written as JSON and read back THEN they are unchanged', () => {
    expect(typeToJson(netdev)).toEqual([
      'object',
      {
        name: 'string', mtu: 'number', up: 'bool', addresses: ['set', 'string'], tags: ['map', 'string'],
        queues: ['list', ['object', { index: 'number', flags: ['set', 'string'] }]],
      },
    ]);
    expect(typeFromJson(typeToJson(netdev))).toEqual(netdev);
  });

  test('GIVEN a tuple type WHEN read THEN the error says which kinds are allowed', () => {
    expect(() => typeFromJson(['tuple', ['string']])).toThrow(
      'unsupported cty type ["tuple",["string"]]: allowed are string, number, bool, dynamic, set, list, map and object',
    );
  });
});
