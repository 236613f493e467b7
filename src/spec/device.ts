/**
 * Per-device validation, shared by the YAML loader and the cdktf constructs
 * (which validate props objects, not YAML). The zod schema checks the value
 * itself; the checks here need the system (user and group names) or look at
 * several keys at once.
 */
import type { DeviceSpec } from '../model.js';
import type { Problem } from '../errors.js';
import { parseCidr, type Cidr } from './address.js';
import type { SystemLookup } from './lookup.js';
import { ProblemSink } from './problems.js';
import { DEVICE_KEYS, deviceSchema, IPV6_MTU_MIN, MTU_MAX, MTU_MIN, TAP_MTU_MAX, type ParsedDevice } from './schema.js';
import { keyValue, showValue } from './show.js';
import { reportIssues } from './zod-issues.js';
import { fastDevice } from './fast-path.js';
import type { PathSegment } from './yaml-positions.js';

/** What the context checks learned, for building the DeviceSpec and cross-device checks. */
export interface DeviceFacts {
  readonly user?: number;
  readonly group?: number;
  /** Valid addresses with their index in the raw list. */
  readonly addresses: readonly { readonly index: number; readonly cidr: Cidr }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function notADeviceMessage(where: string, input: unknown): string {
  const subject = where === '' ? 'the device' : `'${where}'`;
  return `${subject} (${showValue(input)}) must be a mapping of device settings, at least 'name' and 'mode'`;
}

/** Schema issues for one device, reported into sink (which is positioned at the device). */
export function checkDeviceSchema(raw: unknown, sink: ProblemSink): ParsedDevice | undefined {
  const fast = fastDevice(raw);
  if (fast !== undefined) return fast;
  const parsed = deviceSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  reportIssues(parsed.error.issues, sink, {
    knownKeysAt: () => DEVICE_KEYS,
    notAMapping: (path, input) => notADeviceMessage(sink.pathOf(path), input),
  });
  return undefined;
}

/** Checks of one device that need the system or several keys. Runs on raw input so it also reports when the schema failed. */
export function checkDeviceContext(raw: unknown, sink: ProblemSink, lookup: SystemLookup): DeviceFacts {
  if (!isRecord(raw)) return { addresses: [] };
  const where = lookup.where ?? 'this system';
  const user = resolvePrincipal(raw, 'user', sink, where, (v) => lookup.resolveUser(v));
  const group = resolvePrincipal(raw, 'group', sink, where, (v) => lookup.resolveGroup(v));
  if (raw.keepCarrier === true && raw.multiQueue !== true) {
    sink.warn(
      ['keepCarrier'],
      `'keepCarrier' (true) without 'multiQueue' (${showValue(raw.multiQueue ?? false)}): the holder would own the only queue, so no application could attach; set 'multiQueue: true'`,
    );
  }
  if (raw.anyoneMayAttach === true) {
    const named = (['user', 'group'] as const).filter((k) => raw[k] !== undefined);
    if (named.length > 0) {
      sink.error(
        ['anyoneMayAttach'],
        `'anyoneMayAttach' (true) cannot be combined with ${named.map((k) => keyValue(k, raw[k])).join(' and ')}: they limit who may attach; remove 'anyoneMayAttach' or ${named.length > 1 ? 'them' : `'${named[0]}'`}`,
      );
    }
  }
  // A cross-key rule the schema cannot express; the kernel would refuse mid-apply.
  if (raw.mode === 'tap' && typeof raw.mtu === 'number' && Number.isInteger(raw.mtu) && raw.mtu > TAP_MTU_MAX && raw.mtu <= MTU_MAX) {
    sink.error(['mtu'], `${keyValue('mtu', raw.mtu)} must be between ${MTU_MIN} and ${TAP_MTU_MAX} for a tap device (its Ethernet header counts against the kernel's ${MTU_MAX})`);
  }
  const addresses = uniqueAddresses(raw.addresses, sink);
  // The kernel refuses an IPv6 address below this MTU, and drops the device's IPv6 addresses when the MTU goes below it.
  const v6 = addresses.find((a) => a.cidr.family === 6);
  if (v6 && typeof raw.mtu === 'number' && Number.isInteger(raw.mtu) && raw.mtu >= MTU_MIN && raw.mtu < IPV6_MTU_MIN) {
    sink.error(
      ['mtu'],
      `${keyValue('mtu', raw.mtu)} is below ${IPV6_MTU_MIN}, the least IPv6 works with, but addresses[${v6.index}] (${showValue(v6.cidr.cidr)}) is IPv6; raise 'mtu' to at least ${IPV6_MTU_MIN} or declare only IPv4 addresses`,
    );
  }
  const facts: { user?: number; group?: number; addresses: DeviceFacts['addresses'] } = { addresses };
  if (user !== undefined) facts.user = user;
  if (group !== undefined) facts.group = group;
  return facts;
}

function resolvePrincipal(
  raw: Record<string, unknown>,
  key: 'user' | 'group',
  sink: ProblemSink,
  where: string,
  resolve: (v: string | number) => number | undefined,
): number | undefined {
  const v = raw[key];
  // Numbers and digit strings are ids; their range is the schema's concern and any id is valid to the kernel.
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v !== 'string' || v === '') return undefined;
  if (/^[0-9]+$/.test(v)) return Number(v);
  const id = resolve(v);
  if (id === undefined) {
    const file = key === 'user' ? '/etc/passwd' : '/etc/group';
    sink.error([key], `${keyValue(key, v)} is not a known ${key} on ${where} (${file}); use an existing name or a numeric ${key === 'user' ? 'uid' : 'gid'}`);
  }
  return id;
}

function uniqueAddresses(rawList: unknown, sink: ProblemSink): DeviceFacts['addresses'] {
  if (!Array.isArray(rawList)) return [];
  const seen = new Map<string, number>();
  const out: { index: number; cidr: Cidr }[] = [];
  rawList.forEach((item: unknown, index) => {
    if (typeof item !== 'string') return;
    const parsed = parseCidr(item);
    if (!parsed.ok) return;
    const first = seen.get(parsed.value.address);
    if (first !== undefined) {
      const line = sink.lineOf(['addresses', first]);
      const at = line === undefined ? '' : `, line ${line}`;
      sink.error(
        ['addresses', index],
        `${keyValue('addresses', item)} is the same address as addresses[${first}] (${showValue(rawList[first])}${at}); a device holds each local address once, with one prefix length or one peer: keep one`,
      );
      return;
    }
    seen.set(parsed.value.address, index);
    out.push({ index, cidr: parsed.value });
  });
  return out;
}

/** The model's DeviceSpec: schema output with user and group resolved to ids; absent optional fields stay absent. */
export function toDeviceSpec(parsed: ParsedDevice, facts: DeviceFacts): DeviceSpec {
  const spec: { -readonly [K in keyof DeviceSpec]: DeviceSpec[K] } = {
    name: parsed.name,
    mode: parsed.mode,
    multiQueue: parsed.multiQueue,
    keepCarrier: parsed.keepCarrier,
    packetInfo: parsed.packetInfo,
    vnetHeader: parsed.vnetHeader,
    anyoneMayAttach: parsed.anyoneMayAttach,
    up: parsed.up,
  };
  if (facts.user !== undefined) spec.user = facts.user;
  if (facts.group !== undefined) spec.group = facts.group;
  if (parsed.mtu !== undefined) spec.mtu = parsed.mtu;
  if (parsed.addresses !== undefined) spec.addresses = parsed.addresses;
  return spec;
}

export interface DeviceValidation {
  /** Present only when there are no problems. */
  readonly device?: DeviceSpec;
  readonly problems: Problem[];
  readonly warnings: Problem[];
}

/**
 * Validates one device given as a plain object (construct props, a JSON
 * document), with the same rules and messages as a device in a YAML spec.
 * Problems carry `path` = pathPrefix plus the key (`MyStack/tun0.mtu`) and no
 * file position. Cross-device rules (duplicate names and addresses) need the
 * whole set: use checkDuplicates for those.
 */
export function validateDevice(raw: unknown, pathPrefix: string, lookup: SystemLookup): DeviceValidation {
  const sink = new ProblemSink({ prefix: pathPrefix });
  const parsed = checkDeviceSchema(raw, sink);
  const facts = checkDeviceContext(raw, sink, lookup);
  const result: { device?: DeviceSpec; problems: Problem[]; warnings: Problem[] } = { problems: sink.problems, warnings: sink.warnings };
  if (parsed && sink.problems.length === 0) result.device = toDeviceSpec(parsed, facts);
  return result;
}

export type { PathSegment };
