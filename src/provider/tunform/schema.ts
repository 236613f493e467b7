/**
 * The provider's schemas, derived from the spec's JSON Schema (itself made
 * from the zod schema in src/spec/schema.ts): attribute names are the
 * snake_case keys, types, required/optional and defaults come from the JSON
 * Schema, and descriptions are the spec's. Only what the spec does not have
 * (computed attributes, provider-only settings, the data source's live
 * fields) is written here, once.
 */
import type { AttributeSchema, BlockSchema, CtyType, CtyValue } from '../contract.js';
import { specJsonSchema } from '../../spec/schema.js';
import { CREATION_FIELDS, type LiveDevice } from '../../model.js';
import { bug } from '../../errors.js';
import { DEVICE_ATTRIBUTES, toSnakeCase } from './names.js';

interface JsonProp {
  readonly type?: string;
  readonly anyOf?: readonly JsonProp[];
  readonly items?: JsonProp;
  readonly default?: unknown;
  readonly description?: string;
}
interface JsonObject {
  readonly properties: Readonly<Record<string, JsonProp>>;
  readonly required?: readonly string[];
}

let cached: { spec: JsonObject; device: JsonObject } | undefined;
function specJson(): { spec: JsonObject; device: JsonObject } {
  if (!cached) {
    const spec = specJsonSchema() as unknown as JsonObject;
    const devices = spec.properties.devices as { items: JsonObject };
    cached = { spec, device: devices.items };
  }
  return cached;
}

/** cty type for a JSON Schema property. user/group accept a name or an id: a string in Terraform (numbers convert). */
function ctyTypeOf(key: string, p: JsonProp): CtyType {
  if (p.anyOf?.some((alt) => alt.type === 'string')) return 'string';
  switch (p.type) {
    case 'boolean':
      return 'bool';
    case 'integer':
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'array':
      if (p.items?.type === 'string') return { set: 'string' };
  }
  throw bug(`spec key '${key}' has a JSON Schema type the provider does not map: ${JSON.stringify(p)}`);
}

/** One resource attribute that mirrors a spec key. */
export interface DeviceAttribute {
  readonly key: string;
  readonly attribute: string;
  readonly type: CtyType;
  readonly description: string;
  readonly required: boolean;
  /** The spec's default; present only for defaulted keys (optional + computed in Terraform, planned to this). */
  readonly default?: CtyValue;
  /** A change replaces the device (the kernel fixes it at creation; a new name is a new device). */
  readonly forcesReplacement: boolean;
  /**
   * Null in the configuration stands for a value that depends on other
   * attributes, so the plan fills it in (optional + computed in Terraform):
   * `user`, the owner deviceOwner derives from group and anyoneMayAttach.
   * State then always shows the live value, which is what a replace needs
   * to be seen (Terraform ignores a requires-replace path whose prior and
   * planned values are equal).
   */
  readonly derivedDefault: boolean;
}

const REPLACING_KEYS: ReadonlySet<string> = new Set(['name', ...CREATION_FIELDS]);
const DERIVED_DEFAULT_KEYS: ReadonlySet<string> = new Set(['user']);

let deviceAttributesCache: readonly DeviceAttribute[] | undefined;
export function deviceAttributes(): readonly DeviceAttribute[] {
  if (deviceAttributesCache) return deviceAttributesCache;
  const { device } = specJson();
  const required = new Set(device.required ?? []);
  deviceAttributesCache = DEVICE_ATTRIBUTES.map(({ key, attribute }) => {
    const p = device.properties[key];
    if (!p) throw bug(`spec key '${key}' is missing from the JSON Schema`);
    const a: { -readonly [K in keyof DeviceAttribute]: DeviceAttribute[K] } = {
      key,
      attribute,
      type: ctyTypeOf(key, p),
      description: p.description ?? '',
      required: required.has(key),
      forcesReplacement: REPLACING_KEYS.has(key),
      derivedDefault: DERIVED_DEFAULT_KEYS.has(key),
    };
    if (p.default !== undefined) a.default = p.default as CtyValue;
    return a;
  });
  return deviceAttributesCache;
}

/** Resource attributes that are not spec keys: what Terraform computes. */
export const COMPUTED_ATTRIBUTES = {
  id: "Same as 'name': a device is identified by its name in the namespace.",
  ifindex: 'Kernel interface index. Kept by in-place changes; a replaced or re-created device gets a new one.',
  managed:
    "Whether the device carries tunform's managed marker (link alias 'tunform'). Always planned true: an imported device that tunform did not create shows false -> true, and apply writes the marker.",
} as const;

export const RESOURCE_DESCRIPTION =
  'One Linux tun/tap device, managed through the same validator, planner and apply engine as the tunform CLI. Attribute names are the spec keys in snake_case.';

export function resourceSchema(): BlockSchema {
  const attributes: AttributeSchema[] = deviceAttributes().map((a) => ({
    name: a.attribute,
    type: a.type,
    description: a.description,
    ...(a.required ? { required: true } : a.default !== undefined || a.derivedDefault ? { optional: true, computed: true } : { optional: true }),
  }));
  attributes.push(
    { name: 'id', type: 'string', description: COMPUTED_ATTRIBUTES.id, computed: true },
    { name: 'ifindex', type: 'number', description: COMPUTED_ATTRIBUTES.ifindex, computed: true },
    { name: 'managed', type: 'bool', description: COMPUTED_ATTRIBUTES.managed, computed: true },
  );
  return { version: 0, description: RESOURCE_DESCRIPTION, attributes };
}

/** Provider arguments. `netns` is the spec's top-level key; the others are the CLI's options. */
export const PROVIDER_ONLY = {
  helper_path:
    'Path of the tunform-helper binary. Default: $TUNFORM_HELPER, else an installed setuid helper for an unprivileged Terraform, else the one built in the package.',
  force:
    'Replace or delete devices even while other processes have them open (they lose the device), like the CLI\'s --force. Default false: such a change is refused and nothing is changed for that device.',
  host:
    "Manage the devices of another machine: ssh://[user@]HOST[:PORT]. Every read and change runs there through the system's OpenSSH client and the host's own tunform (which must be installed; $TUNFORM_REMOTE_TUNFORM names it when it is not 'tunform' on the remote PATH). Absent: the machine Terraform runs on. Declare one provider alias per host.",
  known_hosts:
    "With host: trust only the host keys in this known_hosts file. Default: ssh's (~/.ssh/known_hosts). Host keys are always checked strictly: an unknown key is refused.",
  private_key_path: "With host: the private key to log in with (only that key is offered). Default: ssh's own choice (~/.ssh/config, the agent).",
} as const;

export const PROVIDER_DESCRIPTION = 'tunform: Linux tun/tap devices as Terraform resources, in one network namespace per provider configuration.';

export function providerSchema(): BlockSchema {
  const netns = specJson().spec.properties.netns?.description ?? '';
  return {
    version: 0,
    description: PROVIDER_DESCRIPTION,
    attributes: [
      { name: 'netns', type: 'string', description: netns, optional: true },
      { name: 'helper_path', type: 'string', description: PROVIDER_ONLY.helper_path, optional: true },
      { name: 'force', type: 'bool', description: PROVIDER_ONLY.force, optional: true },
      { name: 'host', type: 'string', description: PROVIDER_ONLY.host, optional: true },
      { name: 'known_hosts', type: 'string', description: PROVIDER_ONLY.known_hosts, optional: true },
      { name: 'private_key_path', type: 'string', description: PROVIDER_ONLY.private_key_path, optional: true },
    ],
  };
}

/**
 * The data source's device object: LiveDevice's fields (what `tunform show
 * --json` prints), snake_case. The mapped type makes the compiler insist on
 * every field of LiveDevice, so the list cannot fall behind the model.
 */
export const LIVE_FIELDS: { readonly [K in keyof LiveDevice]-?: { readonly type: CtyType; readonly description: string } } = {
  name: { type: 'string', description: 'Interface name.' },
  ifindex: { type: 'number', description: 'Kernel interface index.' },
  mode: { type: 'string', description: 'tun or tap.' },
  multiQueue: { type: 'bool', description: 'IFF_MULTI_QUEUE.' },
  packetInfo: { type: 'bool', description: 'Packet information header (IFF_NO_PI not set).' },
  vnetHeader: { type: 'bool', description: 'IFF_VNET_HDR.' },
  persist: { type: 'bool', description: 'Persistent: the device outlives its last fd.' },
  numQueues: { type: 'number', description: 'Active queues (multi-queue devices only; null otherwise).' },
  numDisabled: { type: 'number', description: 'Detached queues (multi-queue devices only; null otherwise).' },
  user: { type: 'number', description: 'Owner uid, null when not set.' },
  group: { type: 'number', description: 'Group gid, null when not set.' },
  mtu: { type: 'number', description: 'Link MTU.' },
  up: { type: 'bool', description: 'Administrative state (IFF_UP).' },
  carrier: { type: 'bool', description: 'Lower layer up (carrier).' },
  addresses: { type: { list: 'string' }, description: 'Addresses in canonical CIDR form, sorted, without kernel-made IPv6 link-local ones.' },
  alias: { type: 'string', description: 'Link alias, null when not set.' },
  managed: { type: 'bool', description: "Carries tunform's managed marker (alias 'tunform' or 'tunform@GEN')." },
  generation: { type: 'string', description: 'Generation from the marker, null when none.' },
  attachedPids: { type: { list: 'number' }, description: 'Every process with an fd attached, holder included.' },
  holderPids: { type: { list: 'number' }, description: "The attached processes that are tunform's holder." },
  processNames: { type: { map: 'string' }, description: 'Process names (comm) of attached processes, by pid, where they could be read.' },
  userName: { type: 'string', description: 'Owner name when the uid resolves, else null.' },
  groupName: { type: 'string', description: 'Group name when the gid resolves, else null.' },
  keepCarrier: { type: 'bool', description: 'KeepCarrier as observed: a holder is attached (and on multi-queue devices a queue is detached).' },
};

export const LIVE_FIELD_KEYS = Object.keys(LIVE_FIELDS) as (keyof LiveDevice)[];

export const DATA_SOURCE_DESCRIPTION = "The live tun/tap devices of the provider's namespace: what `tunform show --json` reports.";
export const DATA_SOURCE_ATTRIBUTES = {
  devices: 'The tun/tap devices, sorted by name.',
  processes_complete: 'Whether every attached process could be inspected (false without root: some pids may be missing).',
} as const;

export function dataSourceSchema(): BlockSchema {
  const object = Object.fromEntries(LIVE_FIELD_KEYS.map((k) => [toSnakeCase(k), LIVE_FIELDS[k].type]));
  return {
    version: 0,
    description: DATA_SOURCE_DESCRIPTION,
    attributes: [
      { name: 'devices', type: { list: { object } }, description: DATA_SOURCE_ATTRIBUTES.devices, computed: true },
      { name: 'processes_complete', type: 'bool', description: DATA_SOURCE_ATTRIBUTES.processes_complete, computed: true },
    ],
  };
}
