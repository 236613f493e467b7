import { describe, expect, test } from 'vitest';
import { UNKNOWN } from '../../../src/provider/contract.js';
import { checkConfig, ConfigChecks } from '../../../src/provider/tunform/validate.js';
import type { SystemLookup } from '../../../src/spec/lookup.js';
import { inTerraformTerms } from '../../../src/provider/tunform/diagnostics.js';
import { fakeLookup } from '../spec/fake-lookup.js';
import { config } from './values-support.js';

const check = (values: Parameters<typeof config>[0]) => checkConfig(config(values), fakeLookup());

describe('resource validation through the spec validator', () => {
  test('GIVEN mtu = 70000 WHEN validated THEN the CLI sentence is an error on mtu', () => {
    expect(check({ name: 'tun0', mode: 'tun', mtu: 70000 }).diagnostics).toEqual([
      { severity: 'error', summary: "'mtu' (70000) must be between 68 and 65535", attribute: ['mtu'] },
    ]);
  });

  test('GIVEN a valid configuration WHEN validated THEN no diagnostics and the DeviceSpec the CLI would build', () => {
    const r = check({ name: 'tun0', mode: 'tun', user: 'nobody', addresses: ['FD00:0::1/64', '10.0.0.1/24'] });
    expect(r.diagnostics).toEqual([]);
    expect(r.device).toEqual({
      name: 'tun0', mode: 'tun', multiQueue: false, keepCarrier: false, packetInfo: false, vnetHeader: false, anyoneMayAttach: false, up: true,
      user: 65534, addresses: ['10.0.0.1/24', 'fd00::1/64'],
    });
  });

  test('GIVEN a bad address in the set WHEN validated THEN the error points at that element by value', () => {
    expect(check({ name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24', '10.0.0.2'] }).diagnostics).toEqual([
      {
        severity: 'error',
        summary: `'addresses' ("10.0.0.2") has no prefix length; write ADDRESS/PREFIX, e.g. 172.31.0.1/24 or fd00::1/64`,
        attribute: ['addresses', { element: '10.0.0.2' }],
      },
    ]);
  });

  test('GIVEN two spellings of one address WHEN validated THEN the duplicate rule names the second element', () => {
    const d = check({ name: 'tun0', mode: 'tun', addresses: ['fd00::1/64', 'FD00::1/64'] }).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.attribute).toEqual(['addresses', { element: 'FD00::1/64' }]);
    expect(d[0]!.summary).toContain('is the same address as addresses[0]');
  });

  test('GIVEN an unknown user name WHEN validated THEN the lookup message is on user', () => {
    expect(check({ name: 'tun0', mode: 'tun', user: 'bob' }).diagnostics).toEqual([
      {
        severity: 'error',
        summary: `'user' ("bob") is not a known user on this system (/etc/passwd); use an existing name or a numeric uid`,
        attribute: ['user'],
      },
    ]);
  });

  test('GIVEN a tap with mtu 65535 WHEN validated THEN the cross-key rule reports on mtu', () => {
    const d = check({ name: 'tap0', mode: 'tap', mtu: 65535 }).diagnostics;
    expect(d.map((x) => [x.attribute, x.summary.startsWith("'mtu' (65535) must be between 68 and 65521 for a tap device")])).toEqual([[['mtu'], true]]);
  });

  test('GIVEN keep_carrier without multi_queue WHEN validated THEN a warning speaks in attribute names', () => {
    expect(check({ name: 'tun0', mode: 'tun', keep_carrier: true }).diagnostics).toEqual([
      {
        severity: 'warning',
        summary:
          "'keep_carrier' (true) without 'multi_queue' (false): the holder would own the only queue, so no application could attach; set 'multi_queue = true'",
        attribute: ['keep_carrier'],
      },
    ]);
  });

  test('GIVEN unknown name, mode and mtu WHEN validated THEN nothing is reported yet and no DeviceSpec is made', () => {
    const r = check({ name: UNKNOWN, mode: UNKNOWN, mtu: UNKNOWN, keep_carrier: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.device).toBeUndefined();
  });

  test('GIVEN an address set with an unknown element WHEN validated THEN the known elements are still checked', () => {
    const d = check({ name: 'tun0', mode: 'tun', addresses: [UNKNOWN, 'nope/24'] }).diagnostics;
    expect(d.map((x) => x.attribute)).toEqual([['addresses', { element: 'nope/24' }]]);
  });

  test('GIVEN a bad name WHEN validated THEN the name rule sentence is on name', () => {
    expect(check({ name: 'a-name-far-too-long', mode: 'tun' }).diagnostics).toEqual([
      { severity: 'error', summary: `'name' ("a-name-far-too-long") is 19 bytes; device names must be 1 to 15 bytes`, attribute: ['name'] },
    ]);
  });
});

describe('messages in Terraform terms', () => {
  test('GIVEN a sentence quoting camelCase keys WHEN translated THEN only quoted spec keys change', () => {
    expect(inTerraformTerms("'vnetHeader' (1) and 'packetInfo: true' but not multiQueue or 'mtu'")).toBe(
      "'vnet_header' (1) and 'packet_info = true' but not multiQueue or 'mtu'",
    );
  });
});

describe('remembered checks (ValidateResourceConfig, then PlanResourceChange of the same configuration)', () => {
  const counting = (base: SystemLookup) => {
    let calls = 0;
    const lookup: SystemLookup = { ...base, resolveUser: (v) => (calls++, base.resolveUser(v)) };
    return { lookup, calls: () => calls };
  };

  test('GIVEN one configuration checked twice with one lookup WHEN asked THEN the validator runs once and both get its answer', () => {
    const c = counting(fakeLookup());
    const checks = new ConfigChecks();
    const first = checks.diagnostics(config({ name: 'tun0', mode: 'tun', user: 'nobody', mtu: 70000 }), c.lookup);
    const second = checks.diagnostics(config({ name: 'tun0', mode: 'tun', user: 'nobody', mtu: 70000 }), c.lookup);
    expect(second).toEqual(first);
    expect(first.map((d) => d.summary)).toEqual(["'mtu' (70000) must be between 68 and 65535"]);
    expect(c.calls()).toBe(1);
  });

  test('GIVEN a name that is unknown, then null WHEN checked THEN each has its own answer (unknown waits for apply, null is missing)', () => {
    const checks = new ConfigChecks();
    expect(checks.diagnostics(config({ name: UNKNOWN, mode: 'tun' }), fakeLookup())).toEqual([]);
    const lookup = fakeLookup();
    expect(checks.diagnostics(config({ name: UNKNOWN, mode: 'tun' }), lookup)).toEqual([]);
    expect(checks.diagnostics(config({ name: null, mode: 'tun' }), lookup)).not.toEqual([]);
    expect(checks.diagnostics(config({ name: 'tun0', mode: 'tun', addresses: [UNKNOWN] }), lookup)).toEqual([]);
    expect(checks.diagnostics(config({ name: 'tun0', mode: 'tun', addresses: [null] }), lookup)).not.toEqual([]);
  });

  test('GIVEN an answer for one lookup WHEN another lookup asks about the same configuration THEN it is checked again with that lookup', () => {
    const checks = new ConfigChecks();
    const lenient: SystemLookup = { ...fakeLookup(), resolveUser: () => 0 };
    const strict: SystemLookup = { ...fakeLookup(), resolveUser: () => undefined };
    expect(checks.diagnostics(config({ name: 'tun0', mode: 'tun', user: 'alice' }), lenient)).toEqual([]);
    expect(checks.diagnostics(config({ name: 'tun0', mode: 'tun', user: 'alice' }), strict).map((d) => d.attribute)).toEqual([['user']]);
  });
});
