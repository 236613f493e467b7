import { describe, expect, test } from 'vitest';
import { parseSpecText } from '../../../src/spec/index.js';
import { fakeLookup } from './fake-lookup.js';

const parse = (text: string, netnsOverride?: string) => parseSpecText(text, 'spec.yaml', { lookup: fakeLookup(), netnsOverride });

describe('spec normalisation', () => {
  test('GIVEN only name and mode WHEN parsed THEN defaults are filled in and optional fields stay absent', () => {
    const { desired, warnings } = parse('devices:\n  - name: tun0\n    mode: tun\n');
    expect(desired).toEqual({
      devices: [{ name: 'tun0', mode: 'tun', multiQueue: false, keepCarrier: false, packetInfo: false, vnetHeader: false, anyoneMayAttach: false, up: true }],
    });
    expect('netns' in desired).toBe(false);
    const device = desired.devices[0]!;
    expect(['user', 'group', 'mtu', 'addresses'].filter((k) => k in device)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test('GIVEN every field WHEN parsed THEN names resolve to ids and addresses are canonical and sorted', () => {
    const text = [
      'netns: lab',
      'devices:',
      '  - name: tun-test',
      '    mode: tap',
      '    multiQueue: true',
      '    keepCarrier: true',
      '    packetInfo: true',
      '    vnetHeader: true',
      '    user: nobody',
      '    group: "108"',
      '    mtu: 1500',
      '    up: false',
      '    addresses: ["FD00:0::1/64", 172.31.0.1/24, "::FFFF:10.0.0.1/128", 10.0.0.1/8]',
    ].join('\n');
    expect(parse(text).desired).toEqual({
      netns: 'lab',
      devices: [
        {
          name: 'tun-test',
          mode: 'tap',
          multiQueue: true,
          keepCarrier: true,
          packetInfo: true,
          vnetHeader: true,
          user: 65534,
          group: 108,
          anyoneMayAttach: false,
          mtu: 1500,
          up: false,
          addresses: ['10.0.0.1/8', '172.31.0.1/24', '::ffff:10.0.0.1/128', 'fd00::1/64'],
        },
      ],
    });
  });

  test('GIVEN addresses: [] WHEN parsed THEN the device must have no addresses (kept as an empty list)', () => {
    expect(parse('devices:\n  - {name: a, mode: tun, addresses: []}\n').desired.devices[0]?.addresses).toEqual([]);
  });

  test('GIVEN several devices WHEN parsed THEN file order is kept', () => {
    const text = 'devices:\n  - {name: zz, mode: tun}\n  - {name: aa, mode: tap}\n  - {name: mm, mode: tun}\n';
    expect(parse(text).desired.devices.map((d) => d.name)).toEqual(['zz', 'aa', 'mm']);
  });

  test('GIVEN numeric ids as numbers or digit strings WHEN parsed THEN they are used without lookup', () => {
    const device = parse('devices:\n  - {name: a, mode: tun, user: 4242, group: "0"}\n').desired.devices[0];
    expect([device?.user, device?.group]).toEqual([4242, 0]);
  });

  test('GIVEN keepCarrier without multiQueue WHEN parsed THEN it loads with a warning at keepCarrier', () => {
    const { desired, warnings } = parse('devices:\n  - name: a\n    mode: tun\n    keepCarrier: true\n');
    expect(desired.devices[0]?.keepCarrier).toBe(true);
    expect(warnings).toEqual([
      {
        file: 'spec.yaml',
        line: 4,
        column: 18,
        path: 'devices[0].keepCarrier',
        message:
          "'keepCarrier' (true) without 'multiQueue' (false): the holder would own the only queue, so no application could attach; set 'multiQueue: true'",
      },
    ]);
  });

  test('GIVEN --netns WHEN parsed THEN it replaces the file netns and only it must exist', () => {
    const lookup = fakeLookup({ netns: ['other'] });
    const { desired } = parseSpecText('netns: missing\ndevices: []\n', 'spec.yaml', { lookup, netnsOverride: 'other' });
    expect(desired.netns).toBe('other');
  });

  test('GIVEN --netns naming a missing namespace WHEN parsed THEN the problem has no file position', () => {
    try {
      parse('devices: []\n', 'ghost');
      expect.unreachable();
    } catch (e) {
      expect((e as { problems: unknown }).problems).toEqual([{ path: 'netns', message: `'netns' ("ghost") does not exist; use a name from 'ip netns list'` }]);
    }
  });

  test('GIVEN a YAML anchor WHEN another device uses its alias THEN the value is shared', () => {
    const text = 'devices:\n  - {name: a, mode: tun, mtu: &jumbo 9000}\n  - {name: b, mode: tun, mtu: *jumbo}\n';
    expect(parse(text).desired.devices.map((d) => d.mtu)).toEqual([9000, 9000]);
  });
});
