import { backendError } from '../errors.js';

/** Parses ip's JSON output, naming the command when it is not JSON. */
export function parseIpJson(json: string, command: string): unknown[] {
  let value: unknown;
  try {
    // ip prints nothing at all (not `[]`) for some empty dumps.
    value = json.trim() === '' ? [] : JSON.parse(json);
  } catch (e) {
    throw backendError(`cannot read the output of '${command}': it is not valid JSON (${(e as Error).message})`, {
      details: ['check that iproute2 supports -j (JSON output)'],
      cause: e,
    });
  }
  if (!Array.isArray(value)) {
    throw backendError(`cannot read the output of '${command}': expected a JSON array`);
  }
  return value;
}

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
