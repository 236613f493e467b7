/**
 * Rules across devices: names and addresses must be unique in one desired
 * state. One Map each, so a 1000-device spec costs one pass, not n².
 */
import type { DeviceSpec } from '../model.js';
import type { Problem } from '../errors.js';
import { checkDeviceContext, checkDeviceSchema, toDeviceSpec, type DeviceFacts } from './device.js';
import type { SystemLookup } from './lookup.js';
import { ProblemSink } from './problems.js';
import type { ParsedDevice } from './schema.js';
import { keyValue, showValue } from './show.js';

export interface CheckedDevice {
  readonly raw: unknown;
  /** Positioned at this device. */
  readonly sink: ProblemSink;
  readonly facts: DeviceFacts;
  readonly parsed: ParsedDevice | undefined;
}

/** Schema and context checks of one device. */
export function checkDevice(raw: unknown, sink: ProblemSink, lookup: SystemLookup): CheckedDevice {
  const parsed = checkDeviceSchema(raw, sink);
  const facts = checkDeviceContext(raw, sink, lookup);
  return { raw, sink, facts, parsed };
}

/** Reports the second and later uses of a name or address, pointing back at the first. */
export function checkAcrossDevices(devices: readonly CheckedDevice[]): void {
  const names = new Map<string, CheckedDevice>();
  const addresses = new Map<string, { device: CheckedDevice; index: number }>();
  for (const device of devices) {
    const raw = device.raw as { name?: unknown; addresses?: unknown[] } | null;
    const name = typeof raw === 'object' && raw !== null ? raw.name : undefined;
    if (typeof name === 'string' && name !== '') {
      const first = names.get(name);
      if (first) {
        device.sink.error(['name'], `${keyValue('name', name)} is already declared by ${describe(first, ['name'], false)}; device names must be unique`);
      } else {
        names.set(name, device);
      }
    }
    for (const { index, cidr } of device.facts.addresses) {
      const first = addresses.get(cidr.address);
      if (first) {
        const firstRaw = (first.device.raw as { addresses: unknown[] }).addresses[first.index];
        device.sink.error(
          ['addresses', index],
          `${keyValue('addresses', raw?.addresses?.[index])} is the same address as ${showValue(firstRaw)} of ${describe(first.device, ['addresses', first.index])}; an address may belong to one device only`,
        );
      } else {
        addresses.set(cidr.address, { device, index });
      }
    }
  }
}

function describe(device: CheckedDevice, at: (string | number)[], withName = true): string {
  const raw = device.raw as { name?: unknown };
  const name = withName && typeof raw.name === 'string' && raw.name !== '' ? ` '${raw.name}'` : '';
  const line = device.sink.lineOf(at);
  return `${device.sink.pathOf()}${name}${line === undefined ? '' : ` (line ${line})`}`;
}

export interface DeviceSetValidation {
  /** Present only when there are no problems; in input order. */
  readonly devices?: DeviceSpec[];
  readonly problems: Problem[];
  readonly warnings: Problem[];
}

/**
 * Validates several devices given as plain objects (e.g. every tunform
 * construct in a stack), each with its own path prefix, including the
 * cross-device rules. Same rules and messages as a YAML spec.
 */
export function validateDevices(items: readonly { readonly raw: unknown; readonly pathPrefix: string }[], lookup: SystemLookup): DeviceSetValidation {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const checked = items.map((item) => checkDevice(item.raw, new ProblemSink({ prefix: item.pathPrefix }, [], { problems, warnings }), lookup));
  checkAcrossDevices(checked);
  if (problems.length > 0) return { problems, warnings };
  return { devices: checked.map((c) => toDeviceSpec(c.parsed as ParsedDevice, c.facts)), problems, warnings };
}
