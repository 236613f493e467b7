import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { fastDevice, fastSpec } from '../../../src/spec/fast-path.js';
import { deviceSchema, specSchema } from '../../../src/spec/schema.js';
import { problemsOf } from './helpers.js';
import { deviceSpec } from '../support/device-spec.js';

/** Values per key: valid ones, invalid ones, and values of the wrong kind. */
const VALUES: Record<string, unknown[]> = {
  name: ['tun0', 'a', 'abcdefghijklmno', 'tüntüntün', '', 'abcdefghijklmnop', 'tüntüntüntünx', 'a b', 'a/b', 'tun%d', 'a\u0001', 'all', '.', 7, null, ['tun0']],
  mode: ['tun', 'tap', 'TUN', '', 1, true, null, { tun: 1 }],
  multiQueue: [true, false, 'true', 1, null],
  keepCarrier: [true, false, 'yes', 0],
  packetInfo: [true, false, null],
  vnetHeader: [false, true, 'no'],
  up: [true, false, 'up'],
  user: [0, 1000, 'nobody', '1000', '4294967294', '4294967295', 4294967295, -1, -0, 1.5, '', true, null, [1]],
  group: [104, 'kvm', '0', '99999999999', -2, ''],
  mtu: [68, 1500, 65535, 67, 65536, 1500.5, '1500', -0, null],
  addresses: [
    [],
    ['10.0.0.1/24'],
    ['fd00::1/64', '10.0.0.1/24', 'FD00:0::2/64'],
    ['10.200.0.1 peer 10.200.0.2/32'],
    ['10.0.0.1'],
    ['0.0.0.0/0'],
    ['::1/128'],
    ['fe80::1/64'],
    ['10.0.0.1/33'],
    [1],
    [null],
    '10.0.0.1/24',
    {},
  ],
};
const KEYS = Object.keys(VALUES);

/** A deterministic generator, so a failure repeats. */
function* devices(count: number): Generator<Record<string, unknown>> {
  let seed = 12;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const d: Record<string, unknown> = {};
    for (const key of KEYS) {
      // Mostly valid values, sometimes absent, sometimes anything in the list.
      const pick = next(10);
      const values = VALUES[key] as unknown[];
      if (pick < 2 && key !== 'name' && key !== 'mode') continue;
      d[key] = pick < 8 ? values[next(Math.min(3, values.length))] : values[next(values.length)];
    }
    if (next(20) === 0) d[next(2) === 0 ? 'multiqueue' : 'toString'] = true;
    yield d;
  }
}

describe('the validation fast path', () => {
  test('GIVEN 5000 generated devices, valid and not WHEN checked both ways THEN the fast path takes exactly the devices the schema accepts, and returns the same device', () => {
    let fast = 0;
    let rejected = 0;
    for (const d of devices(5000)) {
      const got = fastDevice(d);
      const full = deviceSchema.safeParse(d);
      if (!full.success) rejected++;
      expect(got !== undefined, JSON.stringify(d)).toBe(full.success);
      if (got === undefined) continue;
      fast++;
      expect(isDeepStrictEqual(got, full.data), JSON.stringify(d)).toBe(true);
    }
    // Both sides are exercised: the fast path takes many devices, and the schema rejects many others.
    expect(fast).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(500);
  });

  test('GIVEN plainly valid devices WHEN checked THEN the fast path takes them, with defaults and canonical addresses', () => {
    expect(fastDevice({ name: 'tun0', mode: 'tun', addresses: ['fd00:0::1/64', '10.0.0.1/24'] })).toEqual(
      deviceSpec('tun0', { addresses: ['10.0.0.1/24', 'fd00::1/64'] }),
    );
    expect(fastDevice({ name: 'tap0', mode: 'tap', user: 'nobody', group: '104', mtu: 9000, multiQueue: true })).toMatchObject({ user: 'nobody', group: 104, mtu: 9000 });
  });

  test('GIVEN a value that is not plainly valid, or an object that is not plain WHEN checked THEN the fast path leaves it to the schema', () => {
    expect(fastDevice({ name: 'all', mode: 'tun' })).toBeUndefined();
    expect(fastDevice({ name: 'tun0' })).toBeUndefined();
    expect(fastDevice({ name: 'tun0', mode: 'tun', mtu: 67 })).toBeUndefined();
    expect(fastDevice({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1'] })).toBeUndefined();
    expect(fastDevice({ name: 'tun0', mode: 'tun', extra: 1 })).toBeUndefined();
    expect(fastDevice(Object.assign(Object.create({ inherited: true }), { name: 'tun0', mode: 'tun' }))).toBeUndefined();
    expect(fastDevice(['tun0'])).toBeUndefined();
  });

  test('GIVEN whole specs WHEN the fast path accepts one THEN the schema returns the same; an invalid one is left to the schema', () => {
    const valid = { netns: 'lab', devices: [{ name: 'tun0', mode: 'tun' }, { name: 'tun1', mode: 'tap', user: { odd: 1 } }] };
    expect(fastSpec(valid)).toBeUndefined();
    const ok = { netns: 'lab', devices: [{ name: 'tun0', mode: 'tun' }, { name: 'tun1', mode: 'tap', addresses: ['10.0.0.1/24'] }] };
    expect(fastSpec(ok)).toEqual(specSchema.parse(ok));
    expect(fastSpec({ devices: [] })).toEqual(specSchema.parse({ devices: [] }));
    for (const bad of [null, [], {}, { devices: {} }, { devices: [], other: 1 }, { netns: 'a/b', devices: [] }, { netns: '', devices: [] }, { devices: [{ name: 'tun0' }] }]) {
      expect(fastSpec(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  test('GIVEN a name that breaks two rules WHEN validated THEN both are reported, in the order the schema always gave them', () => {
    const FORBIDDEN = `device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`;
    expect(problemsOf('devices:\n  - name: "abcdefghijklmnop q"\n    mode: tun\n').map((p) => p.message)).toEqual([
      `'name' ("abcdefghijklmnop q") is 18 bytes; device names must be 1 to 15 bytes`,
      `'name' ("abcdefghijklmnop q") contains whitespace; ${FORBIDDEN}`,
    ]);
    expect(problemsOf('devices:\n  - name: "ü ü ü ü ü ü ü ü"\n    mode: tun\n').map((p) => p.message)).toEqual([
      `'name' ("ü ü ü ü ü ü ü ü") contains whitespace; ${FORBIDDEN}`,
      `'name' ("ü ü ü ü ü ü ü ü") is 23 bytes; device names must be 1 to 15 bytes`,
    ]);
  });
});
