/**
 * A resource's configuration through the CLI's own validator
 * (src/spec/device.ts validateDevice), so Terraform users get the same rules
 * and the same sentences, on the attribute they are about.
 */
import { isUnknown, type CtyObject, type CtyValue, type Diagnostic } from '../contract.js';
import type { DeviceSpec } from '../../model.js';
import { validateDevice } from '../../spec/device.js';
import type { SystemLookup } from '../../spec/lookup.js';
import { bug } from '../../errors.js';
import { problemKey, toDiagnostic } from './diagnostics.js';
import { specInputOf } from './values.js';
import { DEVICE_ATTRIBUTES } from './names.js';

export interface ConfigCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** The validated device, when every value is known and there is no error. */
  readonly device?: DeviceSpec;
}

export function checkConfig(values: CtyObject, lookup: SystemLookup): ConfigCheck {
  const input = specInputOf(values);
  const result = validateDevice(input.raw, '', lookup);
  const unknown = input.unknownKeys;
  // A problem about a value Terraform does not know yet (a missing 'name' that is really unknown) waits for apply.
  const errors = result.problems.filter((p) => !unknown.has(problemKey(p) ?? ''));
  // Warnings relate several keys (keepCarrier with multiQueue): judge them once everything is known.
  const allKnown = unknown.size === 0 && input.partlyUnknownKeys.size === 0;
  const warnings = allKnown ? result.warnings : [];
  const diagnostics = [...errors.map((p) => toDiagnostic(p, 'error', input)), ...warnings.map((p) => toDiagnostic(p, 'warning', input))];
  return allKnown && result.device ? { diagnostics, device: result.device } : { diagnostics };
}

/** The DeviceSpec of values that planning already validated (apply time: everything known). */
export function deviceOf(values: CtyObject, lookup: SystemLookup): DeviceSpec {
  const checked = checkConfig(values, lookup);
  if (!checked.device) {
    throw bug(`planned values of '${String(values.name)}' do not validate: ${checked.diagnostics.map((d) => d.summary).join('; ') || 'unknown values'}`);
  }
  return checked.device;
}

/** A configuration's spec-relevant values as one string; unknown is spelled apart from null (JSON has neither). */
function configKey(values: CtyObject): string {
  const part = (v: CtyValue | undefined): string => (isUnknown(v) ? '?' : v === null || v === undefined ? '-' : Array.isArray(v) ? `[${v.map(part).join(',')}]` : JSON.stringify(v));
  return DEVICE_ATTRIBUTES.map((a) => part(values[a.attribute])).join('|');
}

/** How many configurations ConfigChecks keeps: far more than Terraform has in flight between a Validate and its Plan. */
const REMEMBERED_CHECKS = 1024;

/**
 * checkConfig's diagnostics, remembered per lookup. Terraform sends each
 * configuration to ValidateResourceConfig and then, in the same process and
 * with the same values, to PlanResourceChange; the spec validator is the
 * largest part of either call, so the second asks here. Keyed by the lookup
 * too: before ConfigureProvider user and group names are not checked
 * (ProviderContext.validationLookup), and that answer must not serve a plan.
 */
export class ConfigChecks {
  private readonly byLookup = new WeakMap<SystemLookup, Map<string, readonly Diagnostic[]>>();

  diagnostics(values: CtyObject, lookup: SystemLookup): readonly Diagnostic[] {
    let memo = this.byLookup.get(lookup);
    if (memo === undefined) {
      memo = new Map();
      this.byLookup.set(lookup, memo);
    }
    const key = configKey(values);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const diagnostics = checkConfig(values, lookup).diagnostics;
    if (memo.size >= REMEMBERED_CHECKS) memo.clear();
    memo.set(key, diagnostics);
    return diagnostics;
  }
}
