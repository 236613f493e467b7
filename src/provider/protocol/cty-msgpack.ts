/**
 * DynamicValue.msgpack: cty values as Terraform's object wire format encodes
 * them (hashicorp/terraform docs/plugin-protocol/object-wire-format.md).
 * Any extension value is an unknown (type 0 plain, 12 refined; refinements
 * are ignored, which is always safe); a dynamic value is a two-element array
 * of the type's JSON (as bytes) and the value.
 */
import { Decoder, Encoder, ExtData } from '@msgpack/msgpack';
import { invalidInput } from '../../errors.js';
import type { CtyType, CtyValue } from '../contract.js';
import { typeToJson } from './cty-type.js';
import { decodeValue, encodeValue, type DecodeOptions, type EncodeFlavor, type WireFlavor } from './cty-value.js';

/** Unknown values are sent unrefined: extension type 0 with an empty payload. */
const UNKNOWN_EXT = new ExtData(0, new Uint8Array(0));

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One encoder and one decoder for the process: the library's encode() and
 * decode() build a new one (and a 2 KiB buffer) per value, thousands of times
 * per refresh. Both copy their result out and guard against re-entry.
 * useBigInt64 off: 64-bit integers arrive as numbers, which is what a contract number is.
 */
const encoder = new Encoder();
const decoder = new Decoder();

const msgpackIn: WireFlavor = {
  isUnknown: (raw) => raw instanceof ExtData,
  splitDynamic(raw, at) {
    if (!Array.isArray(raw) || raw.length !== 2 || !(raw[0] instanceof Uint8Array)) {
      throw invalidInput(`${at} is not a dynamic value: expected [type JSON bytes, value]`);
    }
    return { typeJson: JSON.parse(utf8.decode(raw[0])) as unknown, raw: raw[1] };
  },
};

const msgpackOut: EncodeFlavor = {
  unknown: UNKNOWN_EXT,
  dynamic: (typeJson, encoded) => [new TextEncoder().encode(JSON.stringify(typeJson)), encoded],
};

export function decodeMsgpack(bytes: Uint8Array, type: CtyType, options?: DecodeOptions): CtyValue {
  return decodeValue(decoder.decode(bytes), type, msgpackIn, options);
}

export function encodeMsgpack(value: CtyValue, type: CtyType): Uint8Array {
  return encoder.encode(encodeValue(value, type, msgpackOut, typeToJson));
}
