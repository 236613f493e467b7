/** The hand-written binding of tunform's provider: what a stack with backend 'provider' synthesizes. */
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { describe, expect, test } from 'vitest';
import { PROVIDER_SOURCE, TunNetdev, TunformHost, TunformNetdevResource, tunformVersion } from '../../../constructs/index.js';
import { DEVICE_ATTRIBUTES } from '../../../src/provider/tunform/names.js';
import { fakeLookup, stackWithHost, vpnProps } from './support.js';

interface Doc {
  terraform?: { required_providers?: Record<string, unknown> };
  provider?: Record<string, Record<string, unknown>[]>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: string }>;
}
const synth = (stack: TerraformStack, validate = false): Doc => JSON.parse(Testing.synth(stack, validate)) as Doc;
const withoutMeta = (r: Record<string, unknown> | undefined) => {
  const { '//': _meta, ...rest } = r ?? {};
  return rest;
};

describe('backend provider', () => {
  test('GIVEN a host with every provider prop and a device with every prop WHEN synthesized THEN the provider is required at this version and the device is one tunform_netdev in snake_case', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'provider', netns: 'lab', helperPath: '/opt/tunform/helper', force: true });
    // WHEN
    new TunNetdev(stack, 'tun-test', vpnProps);
    const doc = synth(stack, true);
    // THEN
    expect(doc.terraform?.required_providers).toEqual({ tunform: { source: 'terraform.local/tunform/tunform', version: tunformVersion() } });
    expect(doc.provider).toEqual({ tunform: [{ netns: 'lab', helper_path: '/opt/tunform/helper', force: true }] });
    expect(Object.keys(doc.resource ?? {})).toEqual(['tunform_netdev']);
    expect(withoutMeta(doc.resource?.tunform_netdev?.['tun-test'])).toEqual({
      provider: 'tunform',
      name: 'tun-test',
      mode: 'tun',
      multi_queue: true,
      keep_carrier: true,
      packet_info: false,
      vnet_header: false,
      user: 1000,
      group: 'netdev',
      anyone_may_attach: false,
      mtu: 1400,
      up: true,
      addresses: ['10.0.0.1/8', '172.31.0.1/24'],
    });
  });

  test('GIVEN a device with every prop WHEN synthesized THEN its attributes are exactly the mapping of the spec keys', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'provider' });
    // WHEN
    new TunNetdev(stack, 'd', vpnProps);
    const attrs = withoutMeta(synth(stack).resource?.tunform_netdev?.['d']);
    // THEN
    const { provider: _p, ...device } = attrs;
    expect(Object.keys(device).sort()).toEqual(DEVICE_ATTRIBUTES.map((a) => a.attribute).sort());
    expect(PROVIDER_SOURCE).toBe('terraform.local/tunform/tunform');
  });

  test('GIVEN only the required props and no provider props WHEN synthesized THEN the provider block is empty and unmanaged attributes are absent', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'st');
    new TunformHost(stack, 'host', { backend: 'provider', lookup: fakeLookup });
    // WHEN
    new TunNetdev(stack, 'tap0', { name: 'tap0', mode: 'tap' });
    const doc = synth(stack, true);
    // THEN
    expect(doc.provider).toEqual({ tunform: [{}] });
    expect(withoutMeta(doc.resource?.tunform_netdev?.['tap0'])).toEqual({
      provider: 'tunform',
      name: 'tap0',
      mode: 'tap',
      multi_queue: false,
      keep_carrier: false,
      packet_info: false,
      vnet_header: false,
      anyone_may_attach: false,
      up: true,
    });
  });

  test('GIVEN two provider hosts in one stack WHEN synthesized THEN the first is the default configuration, the second has an alias, and each device names its own', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'st');
    const a = new TunformHost(stack, 'a', { backend: 'provider', netns: 'ns-a', lookup: fakeLookup });
    const b = new TunformHost(stack, 'lab-b', { backend: 'provider', netns: 'ns-b', lookup: fakeLookup });
    // WHEN
    new TunNetdev(stack, 'x', { name: 'tun-x', mode: 'tun', host: a });
    new TunNetdev(stack, 'y', { name: 'tun-y', mode: 'tun', host: b });
    const doc = synth(stack, true);
    // THEN
    expect(doc.provider).toEqual({ tunform: [{ netns: 'ns-a' }, { netns: 'ns-b', alias: 'lab-b' }] });
    expect(doc.resource?.tunform_netdev?.['x']?.provider).toBe('tunform');
    expect(doc.resource?.tunform_netdev?.['y']?.provider).toBe('tunform.lab-b');
  });

  test('GIVEN props that are Terraform variables WHEN synthesized THEN they pass to the attributes as expressions, for the provider to check', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'provider' });
    const mtu = new TerraformVariable(stack, 'mtu', { type: 'number' });
    const addr = new TerraformVariable(stack, 'addr', { type: 'string' });
    // WHEN
    new TunNetdev(stack, 'd', { name: 'tun0', mode: 'tun', mtu: mtu.numberValue, addresses: [addr.stringValue] });
    const attrs = synth(stack).resource?.tunform_netdev?.['d'];
    // THEN
    expect(attrs?.mtu).toBe('${var.mtu}');
    expect(attrs?.addresses).toEqual(['${var.addr}']);
  });

  test('GIVEN a device WHEN its ifindex is used in an output THEN the output refers to the resource attribute', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'provider' });
    const dev = new TunNetdev(stack, 'd', { name: 'tun0', mode: 'tun' });
    // WHEN
    new TerraformOutput(stack, 'ifindex', { value: (dev.resource as TunformNetdevResource).ifindex });
    // THEN
    expect(synth(stack).output?.['ifindex']?.value).toBe('${tunform_netdev.d.ifindex}');
  });

  test('GIVEN template syntax in the netns and a name WHEN synthesized THEN the attributes carry it escaped, as text', () => {
    // GIVEN
    const { stack } = stackWithHost({ backend: 'provider', netns: 'n${path.root}' });
    // WHEN
    new TunNetdev(stack, 'd', { name: 't${x}', mode: 'tun' });
    const doc = synth(stack);
    // THEN
    expect(doc.provider?.tunform?.[0]?.netns).toBe('n$${path.root}');
    expect(doc.resource?.tunform_netdev?.['d']?.name).toBe('t$${x}');
  });
});
