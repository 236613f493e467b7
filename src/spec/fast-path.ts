/**
 * A shortcut through the schema for specs that are plainly valid, the common
 * case: zod's object parse was the largest part of `tunform drift` above its
 * floor (docs/benchmarks.md), about as much per device as the kernel's dump.
 *
 * It holds no rule of its own. Every value is judged by the schema's own
 * schema for that key (schema.ts), and only the judging is made cheaper:
 * - mode, the flags, mtu, user and group take a handful of distinct values in
 *   a spec, so each key's answer is remembered per value;
 * - a name is accepted when deviceNameProblems, the function the name schema
 *   reports, finds none;
 * - an absent key gets what the key's schema gives for nothing (its default,
 *   absent, or "required": then this path gives up);
 * - addresses go through parseCidr and canonicalAddresses, the two functions
 *   the address schema itself is made of.
 * Whenever a value is not plainly valid (or not a plain value) it answers
 * undefined, and the caller runs the full schema, which words every message:
 * so messages cannot differ from those of the schema alone.
 */
import * as z from 'zod';
import { parseCidr, type Cidr } from './address.js';
import { canonicalAddresses, deviceNameProblems, deviceSchema, specSchema, type ParsedDevice, type ParsedSpec } from './schema.js';

type Answer = { readonly ok: true; readonly data: unknown } | { readonly ok: false };
type Shape = Readonly<Record<string, z.ZodType>>;

const NO: Answer = { ok: false };

function judge(schema: z.ZodType, value: unknown): Answer {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, data: r.data } : NO;
}

/** A long-lived process (a cdktf app, the provider) validates many specs; a memo must not grow without end. */
const MEMO_LIMIT = 10_000;

/** A key's schema with its answers remembered per primitive value, and its answer for an absent key. */
class Judge {
  private readonly memo = new Map<unknown, Answer>();
  private absentAnswer: Answer | undefined;

  constructor(private readonly schema: z.ZodType) {}

  /** A default, nothing, or a problem ("is required"). Asked lazily: zod's first parse of a schema is not free, and most commands never come here. */
  absent(): Answer {
    return (this.absentAnswer ??= judge(this.schema, undefined));
  }

  value(value: unknown): Answer {
    // Only primitives are remembered; -0 would share 0's answer (a Map compares by SameValueZero).
    if ((typeof value === 'object' && value !== null) || typeof value === 'function' || Object.is(value, -0)) return judge(this.schema, value);
    let answer = this.memo.get(value);
    if (answer === undefined) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      answer = judge(this.schema, value);
      this.memo.set(value, answer);
    }
    return answer;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A strict object of `shape` as zod would return it, or undefined. Keys in
 * `special` are judged by their function (values unique per device, where a
 * memo would not help); every other key by its schema, remembered.
 */
function fastObject(o: FastShape, raw: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(raw)) return undefined;
  // for…in, as zod's strict object: inherited enumerable keys count as written.
  for (const key in raw) if (!Object.hasOwn(o.shape, key)) return undefined;
  const out: Record<string, unknown> = {};
  // Plain loops over arrays: this runs once per device in a cold process, mostly in V8's interpreter.
  for (let i = 0; i < o.keys.length; i++) {
    const key = o.keys[i] as string;
    const value = raw[key];
    const special = o.special[i];
    const answer = value === undefined ? (o.judges[i] as Judge).absent() : special !== undefined ? special(value) : (o.judges[i] as Judge).value(value);
    if (!answer.ok) return undefined;
    if (answer.data !== undefined) out[key] = answer.data;
  }
  return out;
}

interface FastShape {
  readonly shape: Shape;
  readonly keys: readonly string[];
  readonly judges: readonly Judge[];
  readonly special: readonly (((v: unknown) => Answer) | undefined)[];
}

function fastShape(shape: Shape, special: Readonly<Record<string, (v: unknown) => Answer>>): FastShape {
  const keys = Object.keys(shape);
  return { shape, keys, judges: keys.map((k) => new Judge(shape[k] as z.ZodType)), special: keys.map((k) => special[k]) };
}

const DEVICE = fastShape(deviceSchema.shape, {
  name: (v) => (typeof v === 'string' && deviceNameProblems(v).length === 0 ? { ok: true, data: v } : NO),
  addresses: (v) => {
    const list = plainAddresses(v);
    return list === undefined ? NO : { ok: true, data: list };
  },
});

/** The list the address schema would give, or undefined when any item is not a valid address (or the value not a list). */
function plainAddresses(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const cidrs: Cidr[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') return undefined;
    const parsed = parseCidr(item);
    if (!parsed.ok) return undefined;
    cidrs.push(parsed.value);
  }
  return canonicalAddresses(cidrs);
}

/** The device as the schema would return it, when every value is plainly valid; otherwise undefined (run the schema). */
export function fastDevice(raw: unknown): ParsedDevice | undefined {
  return fastObject(DEVICE, raw) as ParsedDevice | undefined;
}

/** Only a list passes where the devices go: each device is then taken by fastDevice (or by the device schema, for one it is not sure of). */
const SPEC = fastShape(specSchema.shape, { devices: (v) => (Array.isArray(v) ? { ok: true, data: v } : NO) });

/** The spec as the schema would return it, when it is valid; undefined when anything is wrong (run the schema for the messages). */
export function fastSpec(doc: unknown): ParsedSpec | undefined {
  const shell = fastObject(SPEC, doc);
  if (shell === undefined) return undefined;
  const devices: ParsedDevice[] = [];
  for (const raw of shell.devices as unknown[]) {
    const device = fastDevice(raw) ?? deviceSchema.safeParse(raw).data;
    if (device === undefined) return undefined;
    devices.push(device);
  }
  return { ...shell, devices } as ParsedSpec;
}
