import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, test } from 'vitest';
import { UNKNOWN, type CtyObject, type ProviderDefinition, type ResourceType } from '../../../src/provider/contract.js';
import { encodeMsgpack } from '../../../src/provider/protocol/cty-msgpack.js';
import { providerService } from '../../../src/provider/protocol/grpc-services.js';
import { providerHandlers } from '../../../src/provider/protocol/provider-service.js';
import { diagnosticToWire, pathToWire } from '../../../src/provider/protocol/wire.js';

const schema = {
  version: 1,
  description: 'thing',
  attributes: [
    { name: 'name', type: 'string' as const, description: 'n', required: true },
    { name: 'addresses', type: { set: 'string' as const }, description: 'a', optional: true },
    { name: 'ifindex', type: 'number' as const, description: 'i', computed: true },
  ],
};

const calls: string[] = [];
const thing: ResourceType = {
  schema,
  validate: (c) => (c.name === 'bad' ? [{ severity: 'error', summary: "'name' (bad) is bad", attribute: ['name'] }] : []),
  plan: async (r) => ({ planned: { ...r.proposed!, ifindex: UNKNOWN }, requiresReplace: [['name']], plannedPrivate: Uint8Array.of(7) }),
  apply: async (r) => {
    calls.push(`apply ${String(r.planned?.name)} private=${Array.from(r.plannedPrivate).join(',')}`);
    return { newState: r.planned === null ? null : { ...r.planned, ifindex: 42 } };
  },
  read: async () => {
    throw new Error('kernel said no');
  },
  import: async (id) => ({ imported: [{ state: { name: id, addresses: [], ifindex: 5 } }] }),
  upgrade: (version, state) => ({ ...state, name: `${String(state.name)}-from-v${version}` }),
};

const def: ProviderDefinition = {
  schema: { version: 0, description: 'p', attributes: [{ name: 'netns', type: 'string', description: 'ns', optional: true }] },
  validateConfig: () => [],
  configure: async () => [],
  resources: { thing },
  dataSources: {},
};

const t = { object: { name: 'string', addresses: { set: 'string' }, ifindex: 'number' } } as const;
const dv = (v: CtyObject | null) => ({ msgpack: encodeMsgpack(v, t) });
const h = providerHandlers(def, () => {});
const summaries = (r: Record<string, unknown>) => (r.diagnostics as { summary: string }[]).map((d) => d.summary);

describe('provider RPC handlers', () => {
  test('GIVEN the protocol definition WHEN listed THEN every Provider RPC has a handler', () => {
    expect(Object.keys(providerService()).filter((rpc) => !(rpc in h))).toEqual([]);
  });

  test('GIVEN a config with a bad value WHEN validated THEN the diagnostic is on its attribute path', async () => {
    const r = await h.ValidateResourceConfig!({ type_name: 'thing', config: dv({ name: 'bad', addresses: null, ifindex: null }) });
    expect(r.diagnostics).toEqual([{ severity: 1, summary: "'name' (bad) is bad", attribute: { steps: [{ attribute_name: 'name' }] } }]);
  });

  test('GIVEN an unknown resource type WHEN any call names it THEN the error lists the known ones', async () => {
    const r = await h.PlanResourceChange!({ type_name: 'nope' });
    expect(summaries(r)).toEqual(["tunform has no resource type 'nope' (it has: thing)"]);
  });

  test('GIVEN a plan WHEN answered THEN the planned state keeps unknowns, replacement paths and private bytes are on the wire', async () => {
    const r = await h.PlanResourceChange!({
      type_name: 'thing',
      prior_state: dv(null),
      proposed_new_state: dv({ name: 'a', addresses: ['10.0.0.1/24'], ifindex: UNKNOWN }),
      config: dv({ name: 'a', addresses: ['10.0.0.1/24'], ifindex: null }),
    });
    const planned = decode((r.planned_state as { msgpack: Uint8Array }).msgpack) as Record<string, unknown>;
    expect(planned.name).toBe('a');
    expect((planned.ifindex as { type: number }).type).toBe(0);
    expect(r.requires_replace).toEqual([{ steps: [{ attribute_name: 'name' }] }]);
    expect(r.planned_private).toEqual(Uint8Array.of(7));
  });

  test('GIVEN an apply WHEN answered THEN planned private bytes reach the resource and, not replaced, go on into state; the new state is encoded', async () => {
    const r = await h.ApplyResourceChange!({
      type_name: 'thing',
      prior_state: dv(null),
      planned_state: dv({ name: 'b', addresses: [], ifindex: UNKNOWN }),
      config: dv({ name: 'b', addresses: [], ifindex: null }),
      planned_private: Uint8Array.of(7),
    });
    expect(calls).toContain('apply b private=7');
    expect(decode((r.new_state as { msgpack: Uint8Array }).msgpack)).toEqual({ name: 'b', addresses: [], ifindex: 42 });
    expect(r.private).toEqual(Uint8Array.of(7));
  });

  test('GIVEN a resource that throws WHEN read THEN the answer is an error diagnostic naming the RPC, not a gRPC failure', async () => {
    const r = await h.ReadResource!({ type_name: 'thing', current_state: dv({ name: 'a', addresses: [], ifindex: 1 }) });
    expect(summaries(r)).toEqual(['tunform provider: ReadResource failed: kernel said no']);
  });

  test('GIVEN a value that does not match the schema WHEN sent THEN the answer is an error diagnostic naming the attribute', async () => {
    const r = await h.ValidateResourceConfig!({ type_name: 'thing', config: { msgpack: encode({ name: 5 }) } });
    expect(summaries(r)).toEqual(['tunform provider: ValidateResourceConfig failed: name (5) is not a valid string']);
  });

  test('GIVEN state JSON of an older schema version WHEN upgraded THEN old attributes drop, new ones are null, upgrade() runs', async () => {
    const r = await h.UpgradeResourceState!({
      type_name: 'thing',
      version: 0,
      raw_state: { json: new TextEncoder().encode(JSON.stringify({ name: 'x', legacy: 1, ifindex: 3 })) },
    });
    expect(decode((r.upgraded_state as { msgpack: Uint8Array }).msgpack)).toEqual({ name: 'x-from-v0', addresses: null, ifindex: 3 });
    const newer = await h.UpgradeResourceState!({ type_name: 'thing', version: 2, raw_state: { json: new TextEncoder().encode('{}') } });
    expect(summaries(newer)[0]).toContain('the state was written by a newer tunform (schema version 2, this one knows up to 1)');
  });

  test('GIVEN an import WHEN answered THEN each imported object carries the type name and its state', async () => {
    const r = await h.ImportResourceState!({ type_name: 'thing', id: 'tap7' });
    const [one] = r.imported_resources as { type_name: string; state: { msgpack: Uint8Array } }[];
    expect(one!.type_name).toBe('thing');
    expect(decode(one!.state.msgpack)).toEqual({ name: 'tap7', addresses: [], ifindex: 5 });
  });

  test('GIVEN RPCs tunform does not support WHEN called THEN each answers with an error diagnostic saying so', async () => {
    expect(summaries(await h.OpenEphemeralResource!({}))).toEqual(['tunform does not support ephemeral resources (OpenEphemeralResource)']);
    expect(summaries(await h.MoveResourceState!({}))).toEqual(['tunform does not support moving state between resource types (MoveResourceState)']);
    expect(await h.GetFunctions!({})).toEqual({});
  });

  test('GIVEN the schema request WHEN answered THEN attribute types are cty JSON and flags are set', async () => {
    const r = (await h.GetProviderSchema!({})) as { resource_schemas: Record<string, { block: { attributes: { name: string; type: Uint8Array; computed: boolean }[] } }> };
    const attrs = r.resource_schemas.thing!.block.attributes;
    expect(attrs.map((a) => [a.name, new TextDecoder().decode(a.type), a.computed])).toEqual([
      ['name', '"string"', false],
      ['addresses', '["set","string"]', false],
      ['ifindex', '"number"', true],
    ]);
  });
});

describe('diagnostics on the wire', () => {
  test('GIVEN a path through a list index and into a set element WHEN sent THEN the index is kept and the path stops at the set', () => {
    expect(pathToWire(['queues', 2, 'flags', { element: 'x' }, 'deeper'])).toEqual({
      steps: [{ attribute_name: 'queues' }, { element_key_int: 2 }, { attribute_name: 'flags' }],
    });
  });

  test('GIVEN a warning with detail WHEN sent THEN severity is WARNING (2) and the detail is kept', () => {
    expect(diagnosticToWire({ severity: 'warning', summary: 's', detail: 'd', attribute: ['addresses', { element: '10.0.0.1/24' }] })).toEqual({
      severity: 2,
      summary: 's',
      detail: 'd',
      attribute: { steps: [{ attribute_name: 'addresses' }] },
    });
  });
});
