/**
 * The `tunform_netdev` resources of a synthesized stack (TunformHost backend
 * `provider`), read back into the spec's vocabulary through the one
 * attribute mapping, with the namespace of the provider configuration each
 * resource names. Values Terraform computes at apply time cannot be read.
 */
import type { Problem } from '../errors.js';
import { RESOURCE_TYPE, PROVIDER_TYPE } from '../provider/address.js';
import { DEVICE_ATTRIBUTES } from '../provider/tunform/names.js';
import { unescapeTemplate } from './format.js';
import type { SynthDevice } from './read-stack.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An unescaped `${`: Terraform computes the value (escaped user text is `$${`). */
const hasExpression = (v: unknown): boolean => (typeof v === 'string' ? /(^|[^$])\$\{/.test(v) : Array.isArray(v) ? v.some(hasExpression) : false);
const unescape = (v: unknown): unknown => (typeof v === 'string' ? unescapeTemplate(v) : Array.isArray(v) ? v.map(unescape) : v);

/** `provider = "tunform"` or `"tunform.ALIAS"` -> that configuration's netns (undefined: the caller's namespace). */
function netnsByProvider(doc: Record<string, unknown>): Map<string, unknown> {
  const configs = isRecord(doc.provider) ? doc.provider[PROVIDER_TYPE] : undefined;
  const map = new Map<string, unknown>();
  for (const c of Array.isArray(configs) ? configs : isRecord(configs) ? [configs] : []) {
    if (!isRecord(c)) continue;
    map.set(typeof c.alias === 'string' ? `${PROVIDER_TYPE}.${c.alias}` : PROVIDER_TYPE, c.netns);
  }
  return map;
}

export function extractNetdevs(doc: unknown, file: string): { devices: SynthDevice[]; problems: Problem[] } {
  const devices: SynthDevice[] = [];
  const problems: Problem[] = [];
  if (!isRecord(doc) || !isRecord(doc.resource) || !isRecord(doc.resource[RESOURCE_TYPE])) return { devices, problems };
  const netns = netnsByProvider(doc);
  for (const [name, body] of Object.entries(doc.resource[RESOURCE_TYPE] as Record<string, unknown>)) {
    if (!isRecord(body)) continue;
    const address = `${RESOURCE_TYPE}.${name}`;
    const device: Record<string, unknown> = {};
    const computed: string[] = [];
    for (const { key, attribute } of DEVICE_ATTRIBUTES) {
      if (body[attribute] === undefined) continue;
      if (hasExpression(body[attribute])) computed.push(attribute);
      device[key] = unescape(body[attribute]);
    }
    if (computed.length > 0) {
      problems.push({ file, path: address, message: `${computed.map((a) => `'${a}'`).join(', ')} depend on values known only at apply time; drift and apply --synth need literal values` });
      continue;
    }
    const provider = typeof body.provider === 'string' ? body.provider : PROVIDER_TYPE;
    const ns = netns.get(provider);
    const meta = isRecord(body['//']) && isRecord(body['//'].metadata) ? body['//'].metadata : {};
    const entry: { -readonly [K in keyof SynthDevice]: SynthDevice[K] } = { address, device };
    if (typeof meta.path === 'string') entry.constructPath = meta.path;
    if (typeof ns === 'string') entry.netns = unescapeTemplate(ns);
    devices.push(entry);
  }
  return { devices, problems };
}
