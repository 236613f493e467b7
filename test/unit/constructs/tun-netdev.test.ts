import { AnnotationMetadataEntryType, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { TunNetdev, TunformHost } from '../../../constructs/index.js';
import { fakeLookup, resources, sha16, stackWithHost } from './support.js';

describe('TunNetdev validation through the shared spec validator', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'name too long',
      { name: 'a-very-long-device', mode: 'tun' },
      `st/dev.name: 'name' ("a-very-long-device") is 18 bytes; device names must be 1 to 15 bytes`,
    ],
    ['name with a colon', { name: 'tun:0', mode: 'tun' }, `st/dev.name: 'name' ("tun:0") contains ':'; device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`],
    ['mode missing', { name: 'tun0' }, `st/dev.mode: 'mode' is required: tun or tap`],
    ['mode unknown', { name: 'tun0', mode: 'bridge' }, `st/dev.mode: 'mode' ("bridge") must be tun or tap`],
    ['mtu out of range', { name: 'tun0', mode: 'tun', mtu: 10 }, `st/dev.mtu: 'mtu' (10) must be between 68 and 65535`],
    ['mtu not an integer', { name: 'tun0', mode: 'tun', mtu: 1500.5 }, `st/dev.mtu: 'mtu' (1500.5) must be an integer`],
    ['flag not a boolean', { name: 'tun0', mode: 'tun', up: 'yes' }, `st/dev.up: 'up' ("yes") must be true or false`],
    [
      'unknown user',
      { name: 'tun0', mode: 'tun', user: 'mallory' },
      `st/dev.user: 'user' ("mallory") is not a known user on this system (/etc/passwd); use an existing name or a numeric uid`,
    ],
    [
      'unknown group',
      { name: 'tun0', mode: 'tun', group: 'nogroup' },
      `st/dev.group: 'group' ("nogroup") is not a known group on this system (/etc/group); use an existing name or a numeric gid`,
    ],
    [
      'address without prefix',
      { name: 'tun0', mode: 'tun', addresses: ['10.0.0.1'] },
      `st/dev.addresses[0]: 'addresses' ("10.0.0.1") has no prefix length; write ADDRESS/PREFIX, e.g. 172.31.0.1/24 or fd00::1/64`,
    ],
    [
      'same address twice',
      { name: 'tun0', mode: 'tun', addresses: ['10.0.0.2/8', '10.0.0.2/16'] },
      `st/dev.addresses[1]: 'addresses' ("10.0.0.2/16") is the same address as addresses[0] ("10.0.0.2/8"); a device holds each local address once, with one prefix length or one peer: keep one`,
    ],
    [
      'unknown prop (JavaScript caller)',
      { name: 'tun0', mode: 'tun', multiqueue: true },
      `st/dev.multiqueue: unknown key 'multiqueue' in st/dev; did you mean 'multiQueue'?`,
    ],
  ];

  test.each(cases)('GIVEN %s WHEN constructed THEN it throws naming the construct path and the prop', (_label, props, expected) => {
    // GIVEN
    const { stack } = stackWithHost();
    // WHEN / THEN
    expect(() => new TunNetdev(stack, 'dev', props as never)).toThrow(`invalid TunNetdev props: 1 problem\n  ${expected}`);
  });

  test('GIVEN several bad props WHEN constructed THEN every problem is reported in one error', () => {
    // GIVEN
    const { stack } = stackWithHost();
    // WHEN
    let message = '';
    try {
      new TunNetdev(stack, 'dev', { name: 'tun0', mode: 'tun', mtu: 10, user: 'mallory', addresses: ['300.1.1.1/24'] });
    } catch (e) {
      message = (e as Error).message;
    }
    // THEN
    expect(message).toBe(
      [
        'invalid TunNetdev props: 3 problems',
        `  st/dev.mtu: 'mtu' (10) must be between 68 and 65535`,
        `  st/dev.addresses[0]: 'addresses' ("300.1.1.1/24") is not an IPv4 or IPv6 address with a prefix length, e.g. 172.31.0.1/24 or fd00::1/64`,
        `  st/dev.user: 'user' ("mallory") is not a known user on this system (/etc/passwd); use an existing name or a numeric uid`,
      ].join('\n')
    );
  });

  test('GIVEN keepCarrier without multiQueue WHEN constructed THEN it synthesizes with a warning annotation', () => {
    // GIVEN
    const { stack } = stackWithHost();
    // WHEN
    const dev = new TunNetdev(stack, 'dev', { name: 'tun0', mode: 'tun', keepCarrier: true });
    // THEN
    const warnings = dev.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => m.data);
    expect(warnings).toEqual([
      `st/dev.keepCarrier: 'keepCarrier' (true) without 'multiQueue' (false): the holder would own the only queue, so no application could attach; set 'multiQueue: true'`,
    ]);
  });

  test('GIVEN two devices with the same name and address WHEN synthesized with validations THEN both cross-device problems name the second construct', () => {
    // GIVEN
    const { stack } = stackWithHost();
    new TunNetdev(stack, 'a', { name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/24'] });
    new TunNetdev(stack, 'b', { name: 'tun0', mode: 'tun', addresses: ['10.0.0.1/16'] });
    // WHEN / THEN
    expect(() => Testing.synth(stack, true)).toThrow(
      [
        `  [st/host] st/b.name: 'name' ("tun0") is already declared by st/a; device names must be unique`,
        `  [st/host] st/b.addresses[0]: 'addresses' ("10.0.0.1/16") is the same address as "10.0.0.1/24" of st/a 'tun0'; an address may belong to one device only`,
      ].join('\n')
    );
  });
});

describe('TunformHost', () => {
  test('GIVEN bad host props WHEN constructed THEN every problem is reported with the host path', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'st');
    // WHEN / THEN
    expect(() => new TunformHost(stack, 'host', { netns: 'a/b', backend: 'local' as never, cliPath: '' })).toThrow(
      [
        'invalid TunformHost props: 3 problems',
        `  st/host.backend: 'backend' ("local") must be 'provider', 'terraform_data' or 'null_resource'`,
        `  st/host.netns: 'netns' ("a/b") contains '/'; namespace names must not contain '/'`,
        `  st/host.cliPath: 'cliPath' ("") must be a non-empty string; leave it out for the default`,
      ].join('\n')
    );
  });

  const hostCases: [string, Record<string, unknown>, string][] = [
    ['force not a boolean', { backend: 'provider', force: 'yes' }, `st/host.force: 'force' ("yes") must be true or false`],
    ['prune not a boolean', { prune: 1 }, `st/host.prune: 'prune' (1) must be true or false`],
    ['empty helperPath', { helperPath: '' }, `st/host.helperPath: 'helperPath' ("") must be a non-empty string; leave it out for the default`],
    [
      'a record-backend prop with the provider',
      { backend: 'provider', prune: false },
      `st/host.prune: 'prune' (false) is used only by backend 'terraform_data' or 'null_resource', not by 'provider'; leave it out`,
    ],
    [
      'a provider prop with a record backend',
      { backend: 'null_resource', force: true },
      `st/host.force: 'force' (true) is used only by backend 'provider', not by 'null_resource'; leave it out`,
    ],
  ];

  test.each(hostCases)('GIVEN %s WHEN the host is constructed THEN it throws naming the host path and the prop', (_label, props, expected) => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'st');
    // WHEN / THEN
    expect(() => new TunformHost(stack, 'host', { lookup: fakeLookup, ...props })).toThrow(`invalid TunformHost props: 1 problem\n  ${expected}`);
  });

  test('GIVEN no host WHEN devices are created THEN they share one default host that uses the provider (the CLI path defaults to this package’s bin/tunform.js run by this node)', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'st');
    // WHEN
    const a = new TunNetdev(stack, 'a', { name: 'tun0', mode: 'tun' });
    const b = new TunNetdev(stack, 'b', { name: 'tun1', mode: 'tun' });
    // THEN
    expect(a.host).toBe(b.host);
    expect(a.host.node.path).toBe('st/TunformHost');
    expect(a.host.settings.cliPath).toMatch(/^\/.*\/bin\/tunform\.js$/);
    expect(a.host.settings.nodePath).toBe(process.execPath);
    expect(a.host.settings.backend).toBe('provider');
    expect(a.resource.terraformResourceType).toBe('tunform_netdev');
  });

  test('GIVEN two hosts in a stack WHEN a device names none THEN it is asked to choose', () => {
    // GIVEN
    const { stack } = stackWithHost();
    new TunformHost(stack, 'other', { lookup: fakeLookup });
    // WHEN / THEN
    expect(() => new TunNetdev(stack, 'dev', { name: 'tun0', mode: 'tun' })).toThrow(
      "st/dev: stack 'st' has 2 TunformHost constructs (st/host, st/other); pass 'host' to say which one this device uses"
    );
  });
});

describe('tokens', () => {
  test('GIVEN props that are Terraform variables WHEN constructed THEN they are not validated now and the spec and hash are computed by Terraform', () => {
    // GIVEN
    const { stack } = stackWithHost();
    const mtu = new TerraformVariable(stack, 'mtu', { type: 'number' });
    const addr = new TerraformVariable(stack, 'addr', { type: 'string' });
    const name = new TerraformVariable(stack, 'name', { type: 'string' });
    // WHEN
    const dev = new TunNetdev(stack, 'dev', { name: name.stringValue, mode: 'tun', mtu: mtu.numberValue, addresses: [addr.stringValue, '10.0.0.1/24'] });
    // THEN
    expect(Token.isUnresolved(dev.specJson)).toBe(true);
    const input = resources(stack, 'terraform_data')['dev']?.input as { spec: string; generation: string };
    expect(input.spec).toBe(
      '${jsonencode({"devices" = [{"name" = var.name, "mode" = "tun", "multiQueue" = false, "keepCarrier" = false, "packetInfo" = false, "vnetHeader" = false, "anyoneMayAttach" = false, "mtu" = var.mtu, "up" = true, "addresses" = [var.addr, "10.0.0.1/24"]}]})}'
    );
    expect(input.generation).toBe(`\${substr(sha256(${input.spec.slice(2, -1)}), 0, 16)}`);
  });

  test('GIVEN a token prop next to an invalid literal prop WHEN constructed THEN only the literal one is reported', () => {
    // GIVEN
    const { stack } = stackWithHost();
    const mtu = new TerraformVariable(stack, 'mtu', { type: 'number' });
    // WHEN / THEN
    expect(() => new TunNetdev(stack, 'dev', { name: 'tun0', mode: 'tun', mtu: mtu.numberValue, addresses: ['nope'] })).toThrow(
      `invalid TunNetdev props: 1 problem\n  st/dev.addresses[0]: 'addresses' ("nope")`
    );
  });
});
