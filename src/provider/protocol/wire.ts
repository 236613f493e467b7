/**
 * Contract values <-> protocol messages: diagnostics with attribute paths,
 * schemas, and DynamicValues. Messages are the plain objects grpc-services.ts
 * encodes, with the protocol's field names.
 */
import type { AttributePath, BlockSchema, CtyObject, CtyType, CtyValue, Diagnostic } from '../contract.js';
import { decodeJson } from './cty-json.js';
import { decodeMsgpack, encodeMsgpack } from './cty-msgpack.js';
import { blockType, typeToJson } from './cty-type.js';
import type { Message } from './grpc-services.js';

const SEVERITY = { error: 1, warning: 2 } as const;
const STRING_KIND_PLAIN = 0;

type WireStep = { attribute_name: string } | { element_key_int: number };

/**
 * Terraform's attribute paths have no step for a set element (a set is keyed
 * by its values, the protocol only by strings and integers), so a path is cut
 * just before its first set-element step: the diagnostic then points at the
 * set attribute, and the element is named by the message itself.
 */
export function pathToWire(path: AttributePath): { steps: WireStep[] } {
  const steps: WireStep[] = [];
  for (const step of path) {
    if (typeof step === 'object') break;
    steps.push(typeof step === 'number' ? { element_key_int: step } : { attribute_name: step });
  }
  return { steps };
}

export function diagnosticToWire(d: Diagnostic): Message {
  return {
    severity: SEVERITY[d.severity],
    summary: d.summary,
    ...(d.detail !== undefined ? { detail: d.detail } : {}),
    ...(d.attribute !== undefined && d.attribute.length > 0 ? { attribute: pathToWire(d.attribute) } : {}),
  };
}

export const diagnosticsToWire = (ds: readonly Diagnostic[] | undefined): Message[] => (ds ?? []).map(diagnosticToWire);

/** An error diagnostic for something that went wrong outside a resource's own checks. */
export const errorDiagnostic = (summary: string, detail?: string): Message =>
  diagnosticToWire({ severity: 'error', summary, ...(detail !== undefined ? { detail } : {}) });

const encoder = new TextEncoder();

export function schemaToWire(schema: BlockSchema): Message {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      description: schema.description,
      description_kind: STRING_KIND_PLAIN,
      attributes: schema.attributes.map((a) => ({
        name: a.name,
        type: encoder.encode(JSON.stringify(typeToJson(a.type))),
        description: a.description,
        description_kind: STRING_KIND_PLAIN,
        required: a.required === true,
        optional: a.optional === true,
        computed: a.computed === true,
        sensitive: a.sensitive === true,
      })),
    },
  };
}

const schemaTypes = new WeakMap<BlockSchema, CtyType>();

/** The object type every value of this schema is encoded against; built once per schema, as every call needs it. */
export function schemaType(schema: BlockSchema): CtyType {
  let type = schemaTypes.get(schema);
  if (type === undefined) {
    type = blockType(schema.attributes);
    schemaTypes.set(schema, type);
  }
  return type;
}

const asBytes = (b: unknown): Uint8Array | undefined => (b instanceof Uint8Array && b.length > 0 ? b : undefined);

/**
 * A DynamicValue from a request: msgpack when present, else JSON, else (an
 * absent value) null.
 */
export function decodeDynamic(dv: unknown, type: CtyType): CtyValue {
  const m = (dv ?? {}) as { msgpack?: unknown; json?: unknown };
  const msgpack = asBytes(m.msgpack);
  if (msgpack) return decodeMsgpack(msgpack, type);
  const json = asBytes(m.json);
  if (json) return decodeJson(json, type);
  return null;
}

/** A DynamicValue that must be an object or null (state, config, plan). */
export function decodeObject(dv: unknown, type: CtyType): CtyObject | null {
  const v = decodeDynamic(dv, type);
  if (v === null || (typeof v === 'object' && !Array.isArray(v))) return v as CtyObject | null;
  throw new TypeError('expected an object value or null from Terraform');
}

export const encodeDynamic = (value: CtyValue, type: CtyType): Message => ({ msgpack: encodeMsgpack(value, type) });

/** Private bytes from a request, never undefined. */
export const privateBytes = (b: unknown): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(0));
