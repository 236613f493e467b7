/**
 * cty values in Terraform's JSON form: DynamicValue.json (when a request has
 * no msgpack) and UpgradeResourceState's raw_state. JSON has no unknown
 * values; a dynamic value is {"type": T, "value": V}.
 */
import { invalidInput } from '../../errors.js';
import type { CtyType, CtyValue } from '../contract.js';
import { decodeValue, type DecodeOptions, type WireFlavor } from './cty-value.js';

const jsonIn: WireFlavor = {
  isUnknown: () => false,
  splitDynamic(raw, at) {
    if (raw === null || typeof raw !== 'object' || !('type' in raw) || !('value' in raw)) {
      throw invalidInput(`${at} is not a dynamic value: expected {"type": ..., "value": ...}`);
    }
    return { typeJson: raw.type, raw: raw.value };
  },
};

export function decodeJson(bytes: Uint8Array, type: CtyType, options?: DecodeOptions): CtyValue {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw invalidInput(`a JSON value from Terraform is not valid JSON: ${(e as Error).message}`);
  }
  return decodeValue(raw, type, jsonIn, options);
}
