import { createHash } from 'node:crypto';
import { AnnotationMetadataEntryType, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { provider as nullProvider } from '@cdktf/provider-null';
import { describe, expect, test } from 'vitest';
import { CREATE_COMMAND, DESTROY_COMMAND, PRUNE_COMMAND, TunNetdev, TunformHost } from '../../../constructs/index.js';
import { CLI, NODE, fakeLookup, resources, stackWithHost } from './support.js';

const sha16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

const VPN_SPEC =
  '{"netns":"lab","devices":[{"name":"tun-test","mode":"tun","multiQueue":true,"keepCarrier":true,"packetInfo":false,"vnetHeader":false,"user":1000,"group":"netdev","mtu":1400,"up":true,"addresses":["10.0.0.1/8","172.31.0.1/24"]}]}';

const vpnProps = {
  name: 'tun-test',
  mode: 'tun',
  multiQueue: true,
  keepCarrier: true,
  user: '1000',
  group: 'netdev',
  mtu: 1400,
  addresses: ['172.31.0.1/24', '10.0.0.1/8'],
} as const;

describe('TunNetdev synth, terraform_data backend', () => {
  test('GIVEN a device WHEN synthesized THEN one terraform_data stores the canonical spec, triggers on its hash and runs the constant commands', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab', helperPath: '/opt/tunform/helper' });
    // WHEN
    new TunNetdev(stack, 'tun-test', vpnProps);
    // THEN
    const gen = sha16(VPN_SPEC);
    expect(resources(stack, 'terraform_data')['tun-test']).toEqual({
      input: { tunform: 'tunform-device/v1', spec: VPN_SPEC, generation: gen, node: NODE, cli: CLI, helper: '/opt/tunform/helper' },
      triggers_replace: { generation: gen },
      lifecycle: { create_before_destroy: true },
      provisioner: [
        {
          'local-exec': {
            command: 'exec "$TUNFORM_NODE" "$TUNFORM_CLI" apply --spec-env TUNFORM_SPEC --no-prune',
            environment: { TUNFORM_SPEC: VPN_SPEC, TUNFORM_GENERATION: gen, TUNFORM_NODE: NODE, TUNFORM_CLI: CLI, TUNFORM_HELPER: '/opt/tunform/helper' },
          },
        },
        {
          'local-exec': {
            when: 'destroy',
            command: 'exec "$TUNFORM_NODE" "$TUNFORM_CLI" destroy --spec-env TUNFORM_SPEC',
            environment: {
              TUNFORM_SPEC: '${self.input.spec}',
              TUNFORM_GENERATION: '${self.input.generation}',
              TUNFORM_NODE: '${self.input.node}',
              TUNFORM_CLI: '${self.input.cli}',
              TUNFORM_HELPER: '${self.input.helper}',
            },
          },
        },
      ],
    });
  });

  test('GIVEN only the required props WHEN synthesized THEN defaults are stored and unmanaged fields are absent', () => {
    // GIVEN
    const { stack } = stackWithHost();
    // WHEN
    const dev = new TunNetdev(stack, 'tap0', { name: 'tap0', mode: 'tap' });
    // THEN
    expect(dev.specJson).toBe(
      '{"devices":[{"name":"tap0","mode":"tap","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"up":true}]}'
    );
    expect(dev.generation).toBe(sha16(dev.specJson));
    expect(resources(stack, 'terraform_data')['tap0']?.input).toMatchObject({ helper: '' });
  });

  test('GIVEN the same device written two ways WHEN synthesized THEN the generation is the same; a changed prop changes it', () => {
    // GIVEN
    const a = new TunNetdev(stackWithHost().stack, 'd', { name: 'tun0', mode: 'tun', user: 1000, addresses: ['10.0.0.1/24', 'fd00::1/64'] });
    const b = new TunNetdev(stackWithHost().stack, 'd', { name: 'tun0', mode: 'tun', user: '1000', addresses: ['fd00:0::1/64', '10.0.0.1/24'], up: true });
    const c = new TunNetdev(stackWithHost().stack, 'd', { name: 'tun0', mode: 'tun', user: 1000, addresses: ['10.0.0.2/24', 'fd00::1/64'] });
    // THEN
    expect(a.generation).toBe(b.generation);
    expect(c.generation).not.toBe(a.generation);
  });
});

describe('TunformHost inventory (prune)', () => {
  test('GIVEN a host with two devices WHEN synthesized THEN one inventory resource, replaced when the set of names changes, applies the whole set with pruning after every device', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab' });
    // WHEN
    new TunNetdev(stack, 'b', { name: 'tun-b', mode: 'tun' });
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tap', mtu: 9000 });
    // THEN
    const spec =
      '{"netns":"lab","devices":[{"name":"tun-b","mode":"tun","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"up":true},{"name":"tun-a","mode":"tap","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"mtu":9000,"up":true}]}';
    const names = '["lab","tun-a","tun-b"]';
    const all = resources(stack, 'terraform_data');
    expect(Object.keys(all).sort()).toEqual(['a', 'b', 'host_Inventory_40994A18']);
    expect(all['host_Inventory_40994A18']).toEqual({
      input: { tunform: 'tunform-inventory/v1', names, spec, node: NODE, cli: CLI, helper: '' },
      triggers_replace: { names },
      depends_on: ['terraform_data.b', 'terraform_data.a'],
      lifecycle: { create_before_destroy: true },
      provisioner: [
        {
          'local-exec': {
            command: 'unset TUNFORM_GENERATION; exec "$TUNFORM_NODE" "$TUNFORM_CLI" apply --spec-env TUNFORM_SPEC',
            environment: { TUNFORM_SPEC: spec, TUNFORM_NODE: NODE, TUNFORM_CLI: CLI, TUNFORM_HELPER: '' },
          },
        },
      ],
    });
  });

  test('GIVEN a host with prune false WHEN synthesized THEN there is no inventory resource', () => {
    // GIVEN
    const { stack } = stackWithHost({ prune: false });
    // WHEN
    new TunNetdev(stack, 'a', { name: 'tun-a', mode: 'tun' });
    // THEN
    expect(Object.keys(resources(stack, 'terraform_data'))).toEqual(['a']);
  });
});

describe('TunNetdev synth, null_resource backend', () => {
  test('GIVEN backend null_resource and a NullProvider WHEN synthesized THEN one null_resource stores everything in triggers', () => {
    // GIVEN
    const { stack } = stackWithHost({ netns: 'lab', backend: 'null_resource' });
    new nullProvider.NullProvider(stack, 'null');
    // WHEN
    new TunNetdev(stack, 'tun-test', vpnProps);
    // THEN
    const gen = sha16(VPN_SPEC);
    expect(resources(stack, 'null_resource', true)['tun-test']).toEqual({
      triggers: { tunform: 'tunform-device/v1', spec: VPN_SPEC, generation: gen, node: NODE, cli: CLI, helper: '' },
      lifecycle: { create_before_destroy: true },
      provisioner: [
        {
          'local-exec': {
            command: CREATE_COMMAND,
            environment: { TUNFORM_SPEC: VPN_SPEC, TUNFORM_GENERATION: gen, TUNFORM_NODE: NODE, TUNFORM_CLI: CLI, TUNFORM_HELPER: '' },
          },
        },
        {
          'local-exec': {
            when: 'destroy',
            command: DESTROY_COMMAND,
            environment: {
              TUNFORM_SPEC: '${self.triggers.spec}',
              TUNFORM_GENERATION: '${self.triggers.generation}',
              TUNFORM_NODE: '${self.triggers.node}',
              TUNFORM_CLI: '${self.triggers.cli}',
              TUNFORM_HELPER: '${self.triggers.helper}',
            },
          },
        },
      ],
    });
    expect(resources(stack, 'terraform_data')).toEqual({});
    expect(Object.keys(resources(stack, 'null_resource'))).toEqual(['host_Inventory_40994A18', 'tun-test']);
  });

  test('GIVEN backend null_resource without a NullProvider WHEN synthesized with validations THEN it fails naming the device and the fix', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'null_resource' });
    new TunNetdev(stack, 'tun0', { name: 'tun0', mode: 'tun' });
    // WHEN / THEN
    expect(() => Testing.synth(stack, true)).toThrow(
      "st/tun0: backend 'null_resource' needs the hashicorp/null provider in stack 'st': add `new NullProvider(stack, 'null')` (from @cdktf/provider-null), or use backend 'terraform_data'"
    );
  });
});

describe('TunNetdev validation through the shared spec validator', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'name too long',
      { name: 'a-very-long-device', mode: 'tun' },
      `st/dev.name: 'name' ("a-very-long-device") is 18 bytes; device names must be 1 to 15 bytes`,
    ],
    ['name with a colon', { name: 'tun:0', mode: 'tun' }, `st/dev.name: 'name' ("tun:0") contains ':'; device names must not contain '/', ':' or whitespace`],
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
      `st/dev.addresses[1]: 'addresses' ("10.0.0.2/16") is the same address as addresses[0] ("10.0.0.2/8"); each address may appear once per device`,
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
        `  st/host.backend: 'backend' ("local") must be 'terraform_data' or 'null_resource'`,
        `  st/host.netns: 'netns' ("a/b") contains '/'; namespace names must not contain '/'`,
        `  st/host.cliPath: 'cliPath' ("") must be a non-empty string; leave it out for the default`,
      ].join('\n')
    );
  });

  test('GIVEN no host WHEN devices are created THEN they share one default host whose CLI is this package’s bin/tunform.js run by this node', () => {
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
    expect(a.host.settings.backend).toBe('terraform_data');
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

describe('hostile values', () => {
  test('GIVEN shell and Terraform template syntax in the name, netns and user WHEN synthesized THEN they reach only input and environment, escaped, and every command is the same constant', () => {
    // GIVEN
    const netns = 'lab$(touch pwned)"; rm -rf ${path.root} %{if true}x%{endif}';
    const { stack } = stackWithHost({ netns, lookup: { ...fakeLookup, resolveUser: () => 1234 } });
    // WHEN
    new TunNetdev(stack, 'evil', { name: '$(reboot)', mode: 'tun', user: '`id`;x' });
    new TunNetdev(stack, 'plain', { name: 'tun0', mode: 'tun' });
    // THEN
    const text = Testing.synth(stack);
    const res = resources(stack, 'terraform_data');
    const commands = Object.values(res).flatMap((r) => (r.provisioner as { 'local-exec': { command: string } }[]).map((p) => p['local-exec'].command));
    expect(new Set(commands)).toEqual(new Set([CREATE_COMMAND, DESTROY_COMMAND, PRUNE_COMMAND]));
    const evil = res['evil'] as { input: { spec: string }; provisioner: { 'local-exec': { environment: Record<string, string> } }[] };
    const escaped = 'lab$(touch pwned)\\"; rm -rf $${path.root} %%{if true}x%%{endif}';
    expect(evil.input.spec).toBe(
      `{"netns":"${escaped}","devices":[{"name":"$(reboot)","mode":"tun","multiQueue":false,"keepCarrier":false,"packetInfo":false,"vnetHeader":false,"user":"\`id\`;x","up":true}]}`
    );
    expect(evil.provisioner[0]?.['local-exec'].environment.TUNFORM_SPEC).toBe(evil.input.spec);
    // Nowhere is the template syntax left unescaped: Terraform would evaluate it.
    expect(text).not.toMatch(/[^$]\$\{path/);
    expect(text).not.toMatch(/[^%]%\{if/);
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
      '${jsonencode({"devices" = [{"name" = var.name, "mode" = "tun", "multiQueue" = false, "keepCarrier" = false, "packetInfo" = false, "vnetHeader" = false, "mtu" = var.mtu, "up" = true, "addresses" = [var.addr, "10.0.0.1/24"]}]})}'
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
