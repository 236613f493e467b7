import { describe, expect, test } from 'vitest';
import { validateDevice, validateDevices } from '../../../src/spec/index.js';
import { fakeLookup } from './fake-lookup.js';

describe('validateDevice (construct props)', () => {
  test('GIVEN valid props WHEN validated THEN a DeviceSpec with resolved ids is returned', () => {
    const r = validateDevice({ name: 'tap0', mode: 'tap', user: 'alice', addresses: ['FD00::1/64'] }, 'Stack/tap0', fakeLookup());
    expect(r).toEqual({
      device: { name: 'tap0', mode: 'tap', multiQueue: false, keepCarrier: false, packetInfo: false, vnetHeader: false, anyoneMayAttach: false, up: true, user: 1000, addresses: ['fd00::1/64'] },
      problems: [],
      warnings: [],
    });
  });

  test('GIVEN invalid props WHEN validated THEN problems carry the construct path and the YAML messages, no position', () => {
    const r = validateDevice({ name: 'tap0', mode: 'tap', mtu: 70000, multiqueue: true, user: 'bob' }, 'Stack/tap0', fakeLookup());
    expect(r.device).toBeUndefined();
    expect(r.problems).toEqual([
      { path: 'Stack/tap0.mtu', message: "'mtu' (70000) must be between 68 and 65535" },
      { path: 'Stack/tap0.multiqueue', message: "unknown key 'multiqueue' in Stack/tap0; did you mean 'multiQueue'?" },
      { path: 'Stack/tap0.user', message: `'user' ("bob") is not a known user on this system (/etc/passwd); use an existing name or a numeric uid` },
    ]);
  });

  test('GIVEN props that are not an object WHEN validated THEN the prefix names the culprit', () => {
    expect(validateDevice('tun0', 'Stack/t', fakeLookup()).problems).toEqual([
      { path: 'Stack/t', message: "'Stack/t' (\"tun0\") must be a mapping of device settings, at least 'name' and 'mode'" },
    ]);
  });

  test('GIVEN two constructs with one name WHEN validated together THEN the second is reported', () => {
    const r = validateDevices(
      [
        { raw: { name: 'tun0', mode: 'tun' }, pathPrefix: 'Stack/a' },
        { raw: { name: 'tun0', mode: 'tap' }, pathPrefix: 'Stack/b' },
      ],
      fakeLookup(),
    );
    expect(r.devices).toBeUndefined();
    expect(r.problems).toEqual([
      { path: 'Stack/b.name', message: `'name' ("tun0") is already declared by Stack/a; device names must be unique` },
    ]);
  });

  test('GIVEN distinct constructs WHEN validated together THEN devices come back in order', () => {
    const r = validateDevices(
      [
        { raw: { name: 'b', mode: 'tun' }, pathPrefix: 'S/b' },
        { raw: { name: 'a', mode: 'tun', keepCarrier: true }, pathPrefix: 'S/a' },
      ],
      fakeLookup(),
    );
    expect(r.devices?.map((d) => d.name)).toEqual(['b', 'a']);
    expect(r.warnings.map((w) => w.path)).toEqual(['S/a.keepCarrier']);
  });
});
