/** Shared fixtures for the construct tests: a fake system and a stack factory. */
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

export function stackWithHost(props: TunformHostProps = {}): { stack: TerraformStack; host: TunformHost } {
  const stack = new TerraformStack(Testing.app(), 'st');
  const host = new TunformHost(stack, 'host', { nodePath: NODE, cliPath: CLI, lookup: fakeLookup, ...props });
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
