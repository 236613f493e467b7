/**
 * The tfplugin6.Provider RPCs over a contract ProviderDefinition. Every
 * handler answers: a failure (a bad value, a provider exception, an RPC
 * tunform does not support) becomes an error diagnostic in the response,
 * never a gRPC error and never a crash, because Terraform shows diagnostics
 * to the user and only logs gRPC errors.
 */
import type { BlockSchema, DataSourceType, ProviderDefinition, ResourceType } from '../contract.js';
import { decodeJson } from './cty-json.js';
import type { Message } from './grpc-services.js';
import {
  decodeDynamic,
  decodeObject,
  diagnosticsToWire,
  encodeDynamic,
  errorDiagnostic,
  pathToWire,
  privateBytes,
  schemaToWire,
  schemaType,
} from './wire.js';
import type { CtyObject } from '../contract.js';

export type Handler = (request: Message) => Promise<Message>;

/** Thrown inside a handler to answer with this one error diagnostic. */
class Refusal extends Error {}

const SERVER_CAPABILITIES = {
  // No PlanResourceChange for a destroy: Terraform plans deletion itself.
  plan_destroy: false,
  // Each plugin process answers from the same static schema, so Terraform may use its cached copy.
  get_provider_schema_optional: true,
  move_resource_state: false,
};

/** RPCs of protocol 6 that tunform answers only with "not supported". */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  MoveResourceState: 'moving state between resource types',
  ValidateEphemeralResourceConfig: 'ephemeral resources',
  OpenEphemeralResource: 'ephemeral resources',
  RenewEphemeralResource: 'ephemeral resources',
  CloseEphemeralResource: 'ephemeral resources',
};

function lookup<T>(table: Readonly<Record<string, T>>, kind: string, typeName: unknown): T {
  const name = String(typeName ?? '');
  const found = Object.hasOwn(table, name) ? table[name] : undefined;
  if (found === undefined) {
    const known = Object.keys(table).join(', ') || 'none';
    throw new Refusal(`tunform has no ${kind} '${name}' (it has: ${known})`);
  }
  return found;
}

const configOf = (dv: unknown, schema: BlockSchema): CtyObject => {
  const config = decodeObject(dv, schemaType(schema));
  if (config === null) throw new Refusal('Terraform sent no configuration');
  return config;
};

/** The handlers for every RPC of the Provider service; onStop is called after StopProvider answers. */
export function providerHandlers(def: ProviderDefinition, onStop: () => void): Record<string, Handler> {
  const resource = (r: Message): ResourceType => lookup(def.resources, 'resource type', r.type_name);
  const dataSource = (r: Message): DataSourceType => lookup(def.dataSources, 'data source', r.type_name);
  const typeOf = (r: ResourceType) => schemaType(r.schema);

  const handlers: Record<string, Handler> = {
    async GetMetadata() {
      return {
        server_capabilities: SERVER_CAPABILITIES,
        resources: Object.keys(def.resources).map((type_name) => ({ type_name })),
        data_sources: Object.keys(def.dataSources).map((type_name) => ({ type_name })),
      };
    },

    async GetProviderSchema() {
      const schemas = <T extends { schema: BlockSchema }>(t: Readonly<Record<string, T>>) =>
        Object.fromEntries(Object.entries(t).map(([name, x]) => [name, schemaToWire(x.schema)]));
      return {
        provider: schemaToWire(def.schema),
        resource_schemas: schemas(def.resources),
        data_source_schemas: schemas(def.dataSources),
        server_capabilities: SERVER_CAPABILITIES,
      };
    },

    async ValidateProviderConfig(r) {
      return { diagnostics: diagnosticsToWire(def.validateConfig(configOf(r.config, def.schema))) };
    },

    async ValidateResourceConfig(r) {
      const res = resource(r);
      return { diagnostics: diagnosticsToWire(res.validate(configOf(r.config, res.schema))) };
    },

    async ValidateDataResourceConfig(r) {
      const ds = dataSource(r);
      return { diagnostics: diagnosticsToWire(ds.validate(configOf(r.config, ds.schema))) };
    },

    async ConfigureProvider(r) {
      return { diagnostics: diagnosticsToWire(await def.configure(configOf(r.config, def.schema))) };
    },

    async UpgradeResourceState(r) {
      const res = resource(r);
      const version = Number(r.version ?? 0);
      const raw = (r.raw_state ?? {}) as { json?: unknown };
      if (!(raw.json instanceof Uint8Array) || raw.json.length === 0) {
        throw new Refusal('this state has no JSON form (legacy flatmap state is not supported); re-import the resource');
      }
      if (version > res.schema.version) {
        throw new Refusal(
          `the state was written by a newer tunform (schema version ${version}, this one knows up to ${res.schema.version}); install that version with 'tunform install-provider'`,
        );
      }
      const decoded = decodeJson(raw.json, typeOf(res), { dropExtraAttributes: true }) as CtyObject | null;
      const upgraded = decoded !== null && version < res.schema.version && res.upgrade ? res.upgrade(version, decoded) : decoded;
      return { upgraded_state: encodeDynamic(upgraded, typeOf(res)) };
    },

    async ReadResource(r) {
      const res = resource(r);
      const current = decodeObject(r.current_state, typeOf(res));
      const priv = privateBytes(r.private);
      if (current === null) return { new_state: encodeDynamic(null, typeOf(res)), private: priv };
      const out = await res.read({ current, private: priv });
      return { new_state: encodeDynamic(out.newState, typeOf(res)), private: out.private ?? priv, diagnostics: diagnosticsToWire(out.diagnostics) };
    },

    async PlanResourceChange(r) {
      const res = resource(r);
      const t = typeOf(res);
      const out = await res.plan({
        prior: decodeObject(r.prior_state, t),
        proposed: decodeObject(r.proposed_new_state, t),
        config: decodeObject(r.config, t),
        priorPrivate: privateBytes(r.prior_private),
      });
      return {
        planned_state: encodeDynamic(out.planned, t),
        requires_replace: (out.requiresReplace ?? []).map(pathToWire),
        planned_private: out.plannedPrivate ?? privateBytes(r.prior_private),
        diagnostics: diagnosticsToWire(out.diagnostics),
      };
    },

    async ApplyResourceChange(r) {
      const res = resource(r);
      const t = typeOf(res);
      const out = await res.apply({
        prior: decodeObject(r.prior_state, t),
        planned: decodeObject(r.planned_state, t),
        config: decodeObject(r.config, t),
        plannedPrivate: privateBytes(r.planned_private),
      });
      return {
        new_state: encodeDynamic(out.newState, t),
        // What the plan stored goes on into state unless the resource replaces it.
        private: out.private ?? privateBytes(r.planned_private),
        diagnostics: diagnosticsToWire(out.diagnostics),
      };
    },

    async ImportResourceState(r) {
      const res = resource(r);
      const out = await res.import(String(r.id ?? ''));
      return {
        imported_resources: out.imported.map((i) => ({
          type_name: r.type_name,
          state: encodeDynamic(i.state, typeOf(res)),
          private: i.private ?? new Uint8Array(0),
        })),
        diagnostics: diagnosticsToWire(out.diagnostics),
      };
    },

    async ReadDataSource(r) {
      const ds = dataSource(r);
      const out = await ds.read(configOf(r.config, ds.schema));
      return { state: encodeDynamic(out.state, schemaType(ds.schema)), diagnostics: diagnosticsToWire(out.diagnostics) };
    },

    async GetFunctions() {
      return {};
    },

    async CallFunction() {
      return { error: { text: 'tunform provides no functions' } };
    },

    async StopProvider() {
      try {
        await def.stop?.();
        return {};
      } catch (e) {
        return { Error: e instanceof Error ? e.message : String(e) };
      } finally {
        setImmediate(onStop);
      }
    },
  };

  for (const [rpc, what] of Object.entries(UNSUPPORTED)) {
    handlers[rpc] = async () => {
      throw new Refusal(`tunform does not support ${what} (${rpc})`);
    };
  }

  return Object.fromEntries(Object.entries(handlers).map(([rpc, h]) => [rpc, answering(rpc, h)]));
}

/** Wraps a handler so any failure is an error diagnostic in its response. */
function answering(rpc: string, handler: Handler): Handler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (e) {
      if (e instanceof Refusal) return { diagnostics: [errorDiagnostic(e.message)] };
      // The stack goes to stderr, which Terraform keeps in its log (TF_LOG); the user gets the message.
      if (e instanceof Error && e.stack) process.stderr.write(`${rpc}: ${e.stack}\n`);
      const message = e instanceof Error ? e.message : String(e);
      return { diagnostics: [errorDiagnostic(`tunform provider: ${rpc} failed: ${message}`)] };
    }
  };
}
