/** Shared fixtures for the construct tests: a fake system, a stack factory and one device. */
import { createHash } from 'node:crypto';
import { TerraformStack, Testing } from 'cdktf';
import type { SystemLookup } from '../../../src/spec/index.js';
import { TunformHost, type TunformHostProps } from '../../../constructs/index.js';

/** A system with user alice (1000), group netdev (108) and every namespace. */
export const fakeLookup: SystemLookup = {
  resolveUser: (v) => (v === 'alice' ? 1000 : typeof v === 'number' ? v : /^[0-9]+$/.test(v) ? Number(v) : undefined),
  resolveGroup: (v) => (v === 'netdev' ? 108 : typeof v === 'number' ? v : /^[0-9]+$/.test(v) ? Number(v) : undefined),
  netnsExists: () => true,
};

export const NODE = '/opt/node/bin/node';
export const CLI = '/opt/tunform/bin/tunform.js';

/** A stack with one host: backend terraform_data with fixed paths unless props say otherwise. */
export function stackWithHost(props: TunformHostProps = {}): { stack: TerraformStack; host: TunformHost } {
  const stack = new TerraformStack(Testing.app(), 'st');
  const backend = props.backend ?? 'terraform_data';
  const paths = backend === 'provider' ? {} : { nodePath: NODE, cliPath: CLI };
  const host = new TunformHost(stack, 'host', { backend, ...paths, lookup: fakeLookup, ...props });
  return { stack, host };
}

/** The synthesized resources of one type, without cdktf's metadata. */
export function resources(stack: TerraformStack, type: string, runValidations = false): Record<string, Record<string, unknown>> {
  const doc = JSON.parse(Testing.synth(stack, runValidations)) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, body] of Object.entries(doc.resource?.[type] ?? {})) {
    const { '//': _meta, ...rest } = body;
    out[name] = rest;
  }
  return out;
}

export const sha16 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** A device with every prop set, written loosely (user as a digit string, addresses unsorted). */
export const vpnProps = {
  name: 'tun-test',
  mode: 'tun',
  multiQueue: true,
  keepCarrier: true,
  user: '1000',
  group: 'netdev',
  mtu: 1400,
  addresses: ['172.31.0.1/24', '10.0.0.1/8'],
} as const;

/** vpnProps' canonical device: defaults filled in, the uid a number, addresses sorted. */
export const VPN_DEVICE =
  '{"name":"tun-test","mode":"tun","multiQueue":true,"keepCarrier":true,"packetInfo":false,"vnetHeader":false,"user":1000,"group":"netdev","anyoneMayAttach":false,"mtu":1400,"up":true,"addresses":["10.0.0.1/8","172.31.0.1/24"]}';
export const VPN_SPEC = `{"netns":"lab","devices":[${VPN_DEVICE}]}`;
