/**
 * Drives a ProviderDefinition the way Terraform does, without the protocol:
 * configure, validate, PlanResourceChange with Terraform's proposed new state,
 * ApplyResourceChange with what was planned, ReadResource. Integration tests
 * use it against the real kernel; unit tests use proposedNew alone.
 */
import { UNKNOWN, type CtyObject, type CtyValue, type Diagnostic, type PlanResponse, type ProviderDefinition, type ResourceType } from '../../src/provider/contract.js';

const NO_PRIVATE = new Uint8Array();

/** Terraform's proposed new state: configured values; for computed attributes left null, the prior value (unknown on create). */
export function proposedNew(resource: ResourceType, config: CtyObject, prior: CtyObject | null): CtyObject {
  const out: Record<string, CtyValue> = {};
  for (const a of resource.schema.attributes) {
    const v = config[a.name] ?? null;
    out[a.name] = v === null && a.computed ? (prior ? (prior[a.name] ?? null) : UNKNOWN) : v;
  }
  return out;
}

/** A full configuration object: every attribute, null where not written. */
export function configOf(resource: ResourceType, values: Record<string, CtyValue>): CtyObject {
  return Object.fromEntries(resource.schema.attributes.map((a) => [a.name, a.computed && !a.optional ? null : (values[a.name] ?? null)]));
}

export const errorsOf = (d: readonly Diagnostic[] | undefined): Diagnostic[] => (d ?? []).filter((x) => x.severity === 'error');

export class Driver {
  constructor(
    readonly provider: ProviderDefinition,
    readonly type = 'tunform_netdev',
  ) {}

  get resource(): ResourceType {
    return this.provider.resources[this.type]!;
  }

  async configure(values: Record<string, CtyValue>): Promise<void> {
    const config = Object.fromEntries(this.provider.schema.attributes.map((a) => [a.name, values[a.name] ?? null]));
    const d = await this.provider.configure(config);
    if (errorsOf(d).length > 0) throw new Error(`configure: ${JSON.stringify(d)}`);
  }

  plan(prior: CtyObject | null, values: Record<string, CtyValue> | null, priorPrivate = NO_PRIVATE): Promise<PlanResponse> {
    const config = values === null ? null : configOf(this.resource, values);
    return this.resource.plan({ prior, proposed: config === null ? null : proposedNew(this.resource, config, prior), config, priorPrivate });
  }

  /** Plan then apply; throws on plan errors, returns the apply response (its diagnostics untouched). */
  async apply(prior: CtyObject | null, values: Record<string, CtyValue> | null, priorPrivate = NO_PRIVATE) {
    const p = await this.plan(prior, values, priorPrivate);
    if (errorsOf(p.diagnostics).length > 0) throw new Error(`plan: ${JSON.stringify(p.diagnostics)}`);
    const config = values === null ? null : configOf(this.resource, values);
    return this.resource.apply({ prior, planned: p.planned, config, plannedPrivate: NO_PRIVATE });
  }

  async read(state: CtyObject): Promise<CtyObject | null> {
    return (await this.readWithPrivate(state)).state;
  }

  /** Read as Terraform's refresh does: the private bytes go on to the next plan. */
  async readWithPrivate(state: CtyObject): Promise<{ state: CtyObject | null; private: Uint8Array }> {
    const r = await this.resource.read({ current: state, private: NO_PRIVATE });
    if (errorsOf(r.diagnostics).length > 0) throw new Error(`read: ${JSON.stringify(r.diagnostics)}`);
    return { state: r.newState, private: r.private ?? NO_PRIVATE };
  }
}
