/**
 * cty values <-> the plain data a msgpack or JSON decoder yields, walked
 * against a CtyType. The msgpack and JSON codecs differ only in how an
 * unknown and a dynamic value look on the wire; this walk is shared.
 *
 * A dynamic value crosses the contract as [CtyType, value] (its runtime type
 * and the value of that type), a null dynamic as null, an unknown as UNKNOWN.
 */
import { invalidInput } from '../../errors.js';
import { UNKNOWN, type CtyObject, type CtyType, type CtyValue } from '../contract.js';
import { typeFromJson } from './cty-type.js';

export interface WireFlavor {
  /** Whether this raw value is an unknown value (msgpack: any extension; JSON: never). */
  isUnknown(raw: unknown): boolean;
  /** A non-null dynamic value's JSON type constraint and raw value. */
  splitDynamic(raw: unknown, at: string): { readonly typeJson: unknown; readonly raw: unknown };
}

export interface DecodeOptions {
  /**
   * Drop object attributes the type does not have instead of refusing them
   * (state written by an older schema, see UpgradeResourceState).
   */
  readonly dropExtraAttributes?: boolean;
}

const where = (at: string) => (at === '' ? 'the value' : at);
const describe = (raw: unknown) => (raw instanceof Uint8Array ? `${raw.length} bytes` : JSON.stringify(raw) ?? String(raw));

function mismatch(raw: unknown, expected: string, at: string): never {
  throw invalidInput(`${where(at)} (${describe(raw)}) is not a valid ${expected}`);
}

const isRecord = (raw: unknown): raw is Record<string, unknown> =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !(raw instanceof Uint8Array);

function decodeNumber(raw: unknown, at: string): number {
  // Terraform sends an integer, a float, or a decimal string for a number too big for either.
  const n = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) mismatch(raw, 'number (a finite number is allowed)', at);
  return n;
}

/** Decodes one raw value against its type. */
export function decodeValue(raw: unknown, type: CtyType, flavor: WireFlavor, options: DecodeOptions = {}, at = ''): CtyValue {
  if (flavor.isUnknown(raw)) return UNKNOWN;
  if (raw === null || raw === undefined) return null;
  if (type === 'dynamic') {
    const split = flavor.splitDynamic(raw, where(at));
    const actual = typeFromJson(split.typeJson);
    return [actual as unknown as CtyValue, decodeValue(split.raw, actual, flavor, options, at)];
  }
  if (type === 'string') return typeof raw === 'string' ? raw : mismatch(raw, 'string', at);
  if (type === 'bool') return typeof raw === 'boolean' ? raw : mismatch(raw, 'bool', at);
  if (type === 'number') return decodeNumber(raw, at);
  if ('set' in type || 'list' in type) {
    const element = 'set' in type ? type.set : type.list;
    if (!Array.isArray(raw)) mismatch(raw, 'set' in type ? 'set' : 'list', at);
    return raw.map((item, i) => decodeValue(item, element, flavor, options, `${at}[${i}]`));
  }
  if (!isRecord(raw)) mismatch(raw, 'map' in type ? 'map' : 'object', at);
  if ('map' in type) {
    // fromEntries, not assignment: a key such as "__proto__" stays an ordinary key.
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeValue(v, type.map, flavor, options, `${at}[${JSON.stringify(k)}]`)]));
  }
  if (!options.dropExtraAttributes) refuseExtra(raw, type.object, at);
  const prefix = at === '' ? '' : `${at}.`;
  // Loops, not entries/fromEntries: this runs for every value of every call, thousands of times per refresh.
  const out: Record<string, CtyValue> = {};
  for (const [name, t] of attributesOf(type.object)) {
    put(out, name, decodeValue(Object.hasOwn(raw, name) ? raw[name] : null, t, flavor, options, `${prefix}${name}`));
  }
  return out;
}

/** out[name] = value, except that an attribute called "__proto__" (a dynamic value's type may have one) stays an ordinary key. */
function put(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

type Attributes = Readonly<Record<string, CtyType>>;
const attributeLists = new WeakMap<Attributes, readonly (readonly [string, CtyType])[]>();

/** An object type's attributes as a list, made once per type: the codecs walk it for every value. */
function attributesOf(attributes: Attributes): readonly (readonly [string, CtyType])[] {
  let list = attributeLists.get(attributes);
  if (list === undefined) {
    list = Object.entries(attributes);
    attributeLists.set(attributes, list);
  }
  return list;
}

function refuseExtra(record: Record<string, unknown>, attributes: Attributes, at: string): void {
  for (const k in record) {
    if (Object.hasOwn(record, k) && !Object.hasOwn(attributes, k)) {
      const extra = Object.keys(record).filter((key) => !Object.hasOwn(attributes, key));
      throw invalidInput(`${where(at)} has attributes the schema does not have: ${extra.map((key) => `'${key}'`).join(', ')}`);
    }
  }
}

/** What encodeValue produces in place of an unknown and a dynamic value. */
export interface EncodeFlavor {
  readonly unknown: unknown;
  dynamic(typeJson: unknown, encoded: unknown): unknown;
}

/**
 * Encodes one contract value against its type into plain data for the wire.
 * Objects must carry every attribute of their type: a missing one is a bug in
 * the provider, reported rather than sent as a silent null.
 */
export function encodeValue(value: CtyValue | undefined, type: CtyType, flavor: EncodeFlavor, typeJson: (t: CtyType) => unknown, at = ''): unknown {
  if (value === UNKNOWN) return flavor.unknown;
  if (value === null) return null;
  if (value === undefined) throw invalidInput(`${where(at)} is missing: objects must carry every attribute of their schema`);
  if (type === 'dynamic') {
    if (!Array.isArray(value) || value.length !== 2) mismatch(value, 'dynamic value ([type, value])', at);
    const actual = value[0] as unknown as CtyType;
    return flavor.dynamic(typeJson(actual), encodeValue(value[1], actual, flavor, typeJson, at));
  }
  if (type === 'string') return typeof value === 'string' ? value : mismatch(value, 'string', at);
  if (type === 'bool') return typeof value === 'boolean' ? value : mismatch(value, 'bool', at);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value) ? value : mismatch(value, 'number', at);
  if ('set' in type || 'list' in type) {
    const element = 'set' in type ? type.set : type.list;
    if (!Array.isArray(value)) mismatch(value, 'set' in type ? 'set' : 'list', at);
    return value.map((item: CtyValue, i: number) => encodeValue(item, element, flavor, typeJson, `${at}[${i}]`));
  }
  if (!isRecord(value)) mismatch(value, 'map' in type ? 'map' : 'object', at);
  const record = value as CtyObject;
  if ('map' in type) {
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, encodeValue(v, type.map, flavor, typeJson, `${at}[${JSON.stringify(k)}]`)]));
  }
  refuseExtra(record, type.object, at);
  const prefix = at === '' ? '' : `${at}.`;
  const out: Record<string, unknown> = {};
  for (const [name, t] of attributesOf(type.object)) {
    put(out, name, encodeValue(Object.hasOwn(record, name) ? record[name] : undefined, t, flavor, typeJson, `${prefix}${name}`));
  }
  return out;
}
