/**
 * A resource's configuration through the CLI's own validator
 * (src/spec/device.ts validateDevice), so Terraform users get the same rules
 * and the same sentences, on the attribute they are about.
 */
import type { CtyObject, Diagnostic } from '../contract.js';
import type { DeviceSpec } from '../../model.js';
import { validateDevice } from '../../spec/device.js';
import type { SystemLookup } from '../../spec/lookup.js';
import { bug } from '../../errors.js';
import { problemKey, toDiagnostic } from './diagnostics.js';
import { specInputOf } from './values.js';

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
