/**
 * The record backends (`terraform_data`, `null_resource`), for machines where
 * tunform's provider cannot be installed. Each device is a record that only
 * stores its spec; one applier resource per host stores the whole set and
 * runs the tunform CLI once per deploy that changes it, so N devices cost one
 * run, not N. The format is src/synth/format.ts.
 */
import type { Construct } from 'constructs';
import { DataResource, Fn, Lazy, TerraformResource, type TerraformMetaArguments } from './cdk.js';
import {
  APPLIER_TAG,
  APPLY_COMMAND,
  APPLY_NO_PRUNE_COMMAND,
  DESTROY_COMMAND,
  ENV,
  FORMAT_TAG,
  GENERATION_LENGTH,
  RESOURCE_TYPES,
  SPEC_ENV_PART_CHARS,
  STORED_ATTRIBUTE,
  escapeTemplate,
  generationOf,
  specDocument,
  specEnvPart,
  type ApplierKey,
  type Backend,
  type RecordKey,
  type StoredDevice,
} from '../src/synth/format.js';
import type { TunformHost } from './host.js';
import { escapeDeep, hasTokens } from './template.js';

/** `null_resource` of hashicorp/null: all it has is `triggers`. Terraform infers the provider from the type's prefix. */
export class NullResource extends TerraformResource {
  readonly triggers: Record<string, string>;

  constructor(scope: Construct, id: string, config: TerraformMetaArguments & { readonly triggers: Record<string, string> }) {
    const { triggers, ...meta } = config;
    super(scope, id, { ...meta, terraformResourceType: RESOURCE_TYPES.null_resource });
    this.triggers = triggers;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { triggers: this.triggers };
  }
}

/** A spec document as stored (escaped for Terraform's templates) and its hash; Terraform computes both when values are tokens. */
export interface StoredSpec {
  readonly spec: string;
  readonly hash: string;
  /** Characters in the spec Terraform will pass on: exact without tokens, else an estimate from their placeholders. */
  readonly length: number;
  readonly hasTokens: boolean;
}

export function storedSpec(netns: string | undefined, devices: readonly StoredDevice[]): StoredSpec {
  const doc = specDocument(netns, devices);
  const json = JSON.stringify(doc);
  if (hasTokens(doc)) {
    const spec = Fn.jsonencode(escapeDeep(doc));
    return { spec, hash: Fn.substr(Fn.sha256(spec), 0, GENERATION_LENGTH), length: json.length, hasTokens: true };
  }
  return { spec: escapeTemplate(json), hash: generationOf(json), length: json.length, hasTokens: false };
}

/**
 * TUNFORM_SPEC_0, _1, ...: enough parts of SPEC_ENV_PART_CHARS for the stored
 * spec. A spec with tokens is as long as Terraform makes it: its synth-time
 * text is only an estimate, so it gets room to grow (empty parts cost nothing).
 */
function specParts(spec: StoredSpec, part: (offset: number) => string): Record<string, string> {
  const estimate = spec.hasTokens ? 2 * spec.length + SPEC_ENV_PART_CHARS : spec.length;
  const count = Math.max(1, Math.ceil(estimate / SPEC_ENV_PART_CHARS));
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [specEnvPart(ENV.spec, i), part(i * SPEC_ENV_PART_CHARS)]));
}

/** A resource that stores a map. null_resource is replaced when any of it changes; terraform_data only on `replaceOn`. */
function storing(
  scope: Construct,
  id: string,
  backend: Backend,
  stored: Record<string, string>,
  meta: TerraformMetaArguments = {},
  replaceOn?: Record<string, string>,
): TerraformResource {
  return backend === 'null_resource'
    ? new NullResource(scope, id, { ...meta, triggers: stored })
    : new DataResource(scope, id, { ...meta, input: stored, ...(replaceOn ? { triggersReplace: replaceOn } : {}) });
}

/** One device's record: its spec and generation, nothing that runs. */
export function createRecord(scope: Construct, backend: Backend, spec: StoredSpec): TerraformResource {
  const stored: Record<RecordKey, string> = { tunform: FORMAT_TAG, spec: spec.spec, generation: spec.hash };
  return storing(scope, 'Default', backend, stored);
}

/**
 * The host's applier. Its spec is computed at synth time, after every device
 * has registered with the host; a host without devices applies an empty set
 * (deleting what it declared before).
 */
export function createApplier(host: TunformHost, backend: Backend): TerraformResource {
  const settings = host.settings;
  let cached: StoredSpec | undefined;
  const whole = () => (cached ??= storedSpec(settings.netns, host.devices.map((d) => d.storedDevice)));
  const stored: Record<ApplierKey, string> = {
    tunform: APPLIER_TAG,
    spec: Lazy.stringValue({ produce: () => whole().spec }),
    hash: Lazy.stringValue({ produce: () => whole().hash }),
    node: escapeTemplate(settings.nodePath),
    cli: escapeTemplate(settings.cliPath),
    helper: escapeTemplate(settings.helperPath ?? ''),
  };
  const self = `self.${STORED_ATTRIBUTE[backend]}`;
  const fromSelf = (key: ApplierKey) => `\${${self}.${key}}`;
  // Every value from self: a destroy-time provisioner may reference nothing else, and the create-time one uses the same words.
  // The spec goes in parts (one environment string is capped at 128 KiB); how many is known once every device has registered.
  const environment = Lazy.anyValue({
    produce: () => ({
      ...specParts(whole(), (offset) => `\${substr(${self}.spec, ${offset}, ${SPEC_ENV_PART_CHARS})}`),
      [ENV.generation]: '${self.id}',
      [ENV.node]: fromSelf('node'),
      [ENV.cli]: fromSelf('cli'),
      [ENV.helper]: fromSelf('helper'),
    }),
  }) as unknown as Record<string, string>;
  return storing(host, 'Applier', backend, stored, {
    lifecycle: { createBeforeDestroy: true },
    provisioners: [
      { type: 'local-exec', command: settings.prune ? APPLY_COMMAND : APPLY_NO_PRUNE_COMMAND, environment },
      { type: 'local-exec', when: 'destroy', command: DESTROY_COMMAND, environment },
    ],
  }, { hash: stored.hash });
}
