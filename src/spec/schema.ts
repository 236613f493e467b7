/**
 * The one statement of what a spec may contain: types, defaults, ranges,
 * name and address syntax. Validation, the TypeScript input types and the
 * published JSON Schema (schema/tunform.schema.json) all come from here.
 *
 * Rules that need the system (does user 'bob' exist?) or relate values to
 * each other (duplicate names or addresses) cannot live in a static schema;
 * they are in context-checks.ts and documented in docs/spec.md.
 *
 * Every error function writes the final sentence: it quotes the key, shows the
 * value and says what is allowed.
 */
import * as z from 'zod';
import { parseCidr, compareCidrs, type Cidr } from './address.js';
import { keyValue } from './show.js';
import { DEVICE_DEFAULTS } from '../model.js';

export const MTU_MIN = 68;
export const MTU_MAX = 65535;
/** A tap's frames carry a 14-byte Ethernet header within the kernel's 65535 (ETH_MAX_MTU - ETH_HLEN). */
export const TAP_MTU_MAX = 65521;
/** IPv6 needs links of at least 1280 bytes (RFC 8200); the kernel enforces it. */
export const IPV6_MTU_MIN = 1280;
/** (uid_t)-1 means "unchanged" to the kernel, so the largest usable id is one less. */
export const ID_MAX = 4294967294;
/** IFNAMSIZ is 16 including the terminating NUL. */
export const DEVICE_NAME_MAX_BYTES = 15;
/** NAME_MAX: netns names become files under /run/netns. */
export const NETNS_NAME_MAX_BYTES = 255;

type Issue = { readonly code?: string; readonly input?: unknown };

/** Error function for a key: "is required" when missing, else `'key' (value) <rule>`. */
const rule =
  (key: string, allowed: string, required = `'${key}' is required`) =>
  (iss: Issue) =>
    iss.input === undefined ? required : `${keyValue(key, iss.input)} ${allowed}`;

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/** What a forbidden character is called in a message: whitespace, a control character by code point, or the character itself. */
function forbiddenCharacter(s: string, forbidden: RegExp): string | undefined {
  const m = forbidden.exec(s);
  if (!m) return undefined;
  const c = m[0];
  if (/\s/.test(c)) return 'whitespace';
  if (/[\u0000-\u001f\u007f-\u009f]/.test(c)) return `a control character (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return `'${c}'`;
}

/**
 * What the kernel and the helper refuse in a device name (helper/src/names.c
 * says the same): '/', ':', whitespace and control characters (dev_valid_name,
 * and a name that prints as something else); '%' (a kernel name template:
 * `tun%d` would create tun0); glob characters (the helper's ACL matches names
 * with them).
 */
const DEVICE_NAME_FORBIDDEN = /[/:%*?[\]\s\u0000-\u001f\u007f-\u009f]/;
const DEVICE_NAME_PATTERN = /^[^/:%*?[\]\s\u0000-\u001f\u007f-\u009f]*$/;
/** Names the kernel keeps for itself (/proc/sys/net/ipv4/conf/all and default), or that are paths. */
const RESERVED_DEVICE_NAMES: readonly string[] = ['.', '..', 'all', 'default'];

const FORBIDDEN_RULE = `device names must not contain '/', ':', '%', '*', '?', '[', ']', whitespace or control characters`;
const RESERVED_RULE = `device names must not be ${RESERVED_DEVICE_NAMES.slice(0, -1).map((n) => `'${n}'`).join(', ')} or '${RESERVED_DEVICE_NAMES.at(-1)}'`;
const DEVICE_NAME_RULE = `device names must be 1 to ${DEVICE_NAME_MAX_BYTES} bytes without '/', ':', '%', '*', '?', '[', ']', whitespace or control characters, and not ${RESERVED_DEVICE_NAMES.slice(0, -1).map((n) => `'${n}'`).join(', ')} or '${RESERVED_DEVICE_NAMES.at(-1)}'`;

/**
 * Every rule a device name breaks, each as its final sentence, in the order
 * they are checked; [] for a valid name. The schema below reports these, and
 * the fast path (fast-path.ts) accepts a name when there are none.
 */
export function deviceNameProblems(v: string): string[] {
  const problems: string[] = [];
  if (v.length === 0) problems.push(`${keyValue('name', v)} is empty; device names must be 1 to ${DEVICE_NAME_MAX_BYTES} bytes`);
  // The kernel counts bytes. Too many UTF-16 units is reported before the characters, too many bytes from fewer units after them.
  const tooLong = () => `${keyValue('name', v)} is ${byteLength(v)} bytes; device names must be 1 to ${DEVICE_NAME_MAX_BYTES} bytes`;
  if (v.length > DEVICE_NAME_MAX_BYTES) problems.push(tooLong());
  if (!DEVICE_NAME_PATTERN.test(v)) problems.push(`${keyValue('name', v)} contains ${forbiddenCharacter(v, DEVICE_NAME_FORBIDDEN)}; ${FORBIDDEN_RULE}`);
  if (v.length <= DEVICE_NAME_MAX_BYTES && byteLength(v) > DEVICE_NAME_MAX_BYTES) problems.push(tooLong());
  if (RESERVED_DEVICE_NAMES.includes(v)) problems.push(`${keyValue('name', v)} is reserved; ${RESERVED_RULE}`);
  return problems;
}

export const deviceNameSchema = z
  .string({ error: rule('name', 'must be a string', `'name' is required: ${DEVICE_NAME_RULE}`) })
  .check((ctx) => {
    for (const message of deviceNameProblems(ctx.value)) ctx.issues.push({ code: 'custom', input: ctx.value, message });
  })
  // What editors check, from the same constants (JSON Schema counts characters, not bytes).
  .meta({
    minLength: 1,
    maxLength: DEVICE_NAME_MAX_BYTES,
    pattern: DEVICE_NAME_PATTERN.source,
    description: `Kernel interface name: ${DEVICE_NAME_RULE.replace(/^device names must be /, '')}; unique in the spec.`,
  });

export const netnsNameSchema = z
  .string({ error: rule('netns', 'must be a string naming a network namespace') })
  .min(1, { error: (iss) => `${keyValue('netns', iss.input)} is empty; leave 'netns' out to use the current namespace` })
  .max(NETNS_NAME_MAX_BYTES, { error: (iss) => `${keyValue('netns', iss.input)} is too long; namespace names must be at most ${NETNS_NAME_MAX_BYTES} bytes` })
  .regex(/^[^/]*$/, { error: (iss) => `${keyValue('netns', iss.input)} contains '/'; namespace names must not contain '/'` })
  .check((ctx) => {
    const v = ctx.value;
    if (v === '.' || v === '..') {
      ctx.issues.push({ code: 'custom', input: v, message: `${keyValue('netns', v)} is reserved; namespace names must not be '.' or '..'` });
    }
  })
  .meta({ description: "Named network namespace (as in 'ip netns'); it must already exist. Absent: the current namespace." });

const flag = (key: keyof typeof DEVICE_DEFAULTS, description: string) =>
  z.boolean({ error: rule(key, 'must be true or false') }).default(DEVICE_DEFAULTS[key]).meta({ description });

/** Owner or group: a numeric id (number or digit string) or a name resolved later through SystemLookup. */
const principal = (key: 'user' | 'group', idName: 'uid' | 'gid', description: string) => {
  const allowed = `must be a ${key} name or a numeric ${idName} from 0 to ${ID_MAX}`;
  return z
    .union(
      [
        z.int().min(0, { error: rule(key, allowed) }).max(ID_MAX, { error: rule(key, allowed) }),
        z.string().min(1, { error: rule(key, allowed) }),
      ],
      { error: rule(key, allowed) },
    )
    .transform((v, ctx): string | number => {
      if (typeof v === 'number' || !/^[0-9]+$/.test(v)) return v;
      const id = Number(v);
      if (id > ID_MAX) ctx.issues.push({ code: 'custom', input: v, message: `${keyValue(key, v)} ${allowed}` });
      return id;
    })
    .optional()
    .meta({ description });
};

/** A device's address list as the model holds it: canonical text, in the order of compareCidrs. */
export function canonicalAddresses(cidrs: readonly Cidr[]): string[] {
  // Runs once per device in a cold process, where spreading and sorting a one-address list cost more than the rest of its checks.
  if (cidrs.length < 2) return cidrs.map((c) => c.cidr);
  return cidrs.slice().sort(compareCidrs).map((c) => c.cidr);
}

const cidrSchema = z.string({ error: rule('addresses', 'must be a string such as 172.31.0.1/24 or fd00::1/64') }).transform((v, ctx): Cidr => {
  const parsed = parseCidr(v);
  if (parsed.ok) return parsed.value;
  ctx.issues.push({ code: 'custom', input: v, message: `${keyValue('addresses', v)} ${parsed.reason}` });
  return z.NEVER;
});

export const deviceSchema = z
  .strictObject({
    name: deviceNameSchema,
    mode: z.enum(['tun', 'tap'], { error: rule('mode', 'must be tun or tap', `'mode' is required: tun or tap`) }).meta({
      description: 'tun: layer 3 (IP packets); tap: layer 2 (Ethernet frames). Changing it replaces the device.',
    }),
    multiQueue: flag('multiQueue', 'IFF_MULTI_QUEUE: several fds can attach, one queue each. Changing it replaces the device.'),
    keepCarrier: flag('keepCarrier', 'Keep carrier up while no application is attached: a tunform holder keeps a detached queue open. Needs multiQueue.'),
    packetInfo: flag('packetInfo', 'Prefix packets with the 4-byte packet information header (false sets IFF_NO_PI). Changing it replaces the device.'),
    vnetHeader: flag('vnetHeader', 'IFF_VNET_HDR: prefix packets with a virtio-net header. Changing it replaces the device.'),
    user: principal(
      'user',
      'uid',
      "Owner allowed to attach without CAP_NET_ADMIN: a user name or uid. Absent: root (0) when 'group' is absent too (only CAP_NET_ADMIN attaches; see anyoneMayAttach), else no owner. The kernel cannot clear an owner, so a device that has one is replaced when the spec declares 'group' alone.",
    ),
    group: principal(
      'group',
      'gid',
      "Group allowed to attach without CAP_NET_ADMIN: a group name or gid. Without 'user' the device has no owner, so every member of the group attaches (an owner would keep the others out). Absent: not managed.",
    ),
    anyoneMayAttach: flag(
      'anyoneMayAttach',
      "Let every local user who can open /dev/net/tun attach (no owner, no group). Default false: with neither 'user' nor 'group' the owner is root, so only CAP_NET_ADMIN processes attach. Cannot be combined with 'user' or 'group'; false to true replaces the device (the kernel cannot clear an owner).",
    ),
    mtu: z
      .int({ error: rule('mtu', 'must be an integer') })
      .min(MTU_MIN, { error: (iss) => `${keyValue('mtu', iss.input)} must be between ${MTU_MIN} and ${MTU_MAX}` })
      .max(MTU_MAX, { error: (iss) => `${keyValue('mtu', iss.input)} must be between ${MTU_MIN} and ${MTU_MAX}` })
      .optional()
      .meta({ description: `Link MTU, ${MTU_MIN} to ${MTU_MAX}. Absent: not managed.` }),
    up: flag('up', 'Administrative state (ip link set up/down).'),
    addresses: z
      .array(cidrSchema, { error: rule('addresses', 'must be a list of addresses such as [172.31.0.1/24, "fd00::1/64"]') })
      .transform(canonicalAddresses)
      .optional()
      .meta({
        description: 'Addresses in CIDR form. Absent: not managed; []: the device must have none (kernel-made IPv6 link-local addresses are ignored).',
      }),
  })
  .meta({ description: 'One tun/tap device.' });

export const specSchema = z
  .strictObject({
    netns: netnsNameSchema.optional(),
    devices: z
      .array(deviceSchema, { error: rule('devices', 'must be a list of devices', `'devices' is required: a list of devices (it may be empty)`) })
      .meta({ description: 'Declared devices, in order. Managed devices not listed here are deleted by apply (unless --no-prune).' }),
  })
  .meta({ title: 'tunform spec', description: 'Desired tun/tap devices for tunform.' });

/** A device as zod returns it: defaults filled in, addresses canonical, user/group not yet resolved to ids. */
export type ParsedDevice = z.output<typeof deviceSchema>;
/** What a user may write for one device (YAML or construct props). */
export type DeviceInput = z.input<typeof deviceSchema>;
export type SpecInput = z.input<typeof specSchema>;
/** A spec as zod returns it. */
export type ParsedSpec = z.output<typeof specSchema>;

export const DEVICE_KEYS: readonly string[] = Object.keys(deviceSchema.shape);
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(specSchema.shape);

/** The JSON Schema of the YAML format (what a user writes, hence io 'input'). */
export function specJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(specSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
