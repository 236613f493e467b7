/**
 * PlanResourceChange for tunform_netdev. Pure: Read has already refreshed the
 * prior state, so planning only validates the configuration and fills in
 * what Terraform cannot: defaults (so the plan shows them), the owner a
 * configuration without `user` asks for, the id, the ifindex (kept in place,
 * unknown when the device is made anew) and the managed marker.
 */
import { UNKNOWN, isUnknown, type AttributePath, type CtyObject, type CtyValue, type Diagnostic, type PlanRequest, type PlanResponse } from '../contract.js';
import type { SystemLookup } from '../../spec/lookup.js';
import { checkConfig } from './validate.js';
import { hasErrors } from './diagnostics.js';
import { deviceAttributes } from './schema.js';
import { FRAMING_FIELDS } from '../../plan/diff.js';
import { deviceOwner, ownerBlocksGroup } from '../../model.js';
import type { PrivateState } from '../contract.js';

/**
 * Private bytes Read leaves when the device had no queue attached: the kernel
 * then takes packetInfo/vnetHeader from the next attacher, so apply sets them
 * in place (src/plan's rule) and a change of only those needs no replace.
 */
const FRAMING_FREE = 'tunform:framing-free';

export function framingPrivate(noQueueAttached: boolean): PrivateState {
  return new TextEncoder().encode(noQueueAttached ? FRAMING_FREE : '');
}

function framingFree(priv: PrivateState): boolean {
  return new TextDecoder().decode(priv) === FRAMING_FREE;
}

const FRAMING_KEYS: ReadonlySet<string> = new Set(FRAMING_FIELDS);

/** Equality of decoded values; sets compare as sets (Terraform's own order is not ours to rely on). */
export function sameValue(a: CtyValue | undefined, b: CtyValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const rest = [...(b as CtyValue[])];
    return (a as CtyValue[]).every((x) => {
      const i = rest.findIndex((y) => sameValue(x, y));
      if (i === -1) return false;
      rest.splice(i, 1);
      return true;
    });
  }
  return a === b || ((a ?? null) === null && (b ?? null) === null);
}

const declared = (v: CtyValue | undefined): CtyValue | undefined => (v === null ? undefined : v);

/**
 * Attributes that replace the device when they change (or may change:
 * unknown). anyoneMayAttach only one way, as src/plan's creationReasons: the
 * kernel cannot clear an owner, but can set one in place. `user` when the
 * device has an owner (Read puts the live one in state) and the configuration
 * declares a group without a user: ownerBlocksGroup, the CLI's rule (an
 * unknown group may be one, so it counts).
 */
export function replacingChanges(prior: CtyObject, planned: CtyObject, config: CtyObject, framingInPlace = false): AttributePath[] {
  const ownerKept = ownerBlocksGroup({ user: declared(config.user), group: declared(planned.group) }, { user: declared(prior.user) });
  const changed = deviceAttributes().filter((a) => {
    if (a.key === 'user') return ownerKept;
    if (!a.forcesReplacement && a.key !== 'anyoneMayAttach') return false;
    if (!isUnknown(planned[a.attribute]) && sameValue(prior[a.attribute], planned[a.attribute])) return false;
    return a.key !== 'anyoneMayAttach' || planned[a.attribute] !== false;
  });
  // Only framing differs and no queue was attached at the last Read: in place, as the CLI's plan does.
  if (framingInPlace && changed.every((a) => FRAMING_KEYS.has(a.key) && !isUnknown(planned[a.attribute]))) return [];
  return changed.map((a) => [a.attribute]);
}

/**
 * The owner a configuration without `user` asks for, by deviceOwner's rule:
 * root when it declares no group and anyone_may_attach is false, else none
 * (null). Spelled as the prior state does when that names the same uid, else
 * as the uid; unknown until group and anyone_may_attach are known.
 */
function derivedOwner(planned: CtyObject, prior: CtyObject | null, lookup: SystemLookup): CtyValue {
  const { group, anyone_may_attach: anyone } = planned;
  if (isUnknown(group) || isUnknown(anyone)) return UNKNOWN;
  const owner = deviceOwner({ group: declared(group), anyoneMayAttach: anyone === true });
  if (owner === undefined) return null;
  const spelled = prior?.user;
  return typeof spelled === 'string' && lookup.resolveUser(spelled) === owner ? spelled : String(owner);
}

/** `check` is the validator (checkConfig's diagnostics by default; the resource passes its remembered ones). */
export function planDevice(
  request: PlanRequest,
  lookup: SystemLookup,
  check: (config: CtyObject) => readonly Diagnostic[] = (config) => checkConfig(config, lookup).diagnostics,
): PlanResponse {
  const { prior, proposed, config } = request;
  if (proposed === null || config === null) return { planned: null };
  const diagnostics = check(config);
  if (hasErrors(diagnostics)) return { planned: null, diagnostics };

  const planned: Record<string, CtyValue> = { ...proposed };
  for (const a of deviceAttributes()) {
    // Null in the configuration means the spec's default, and the plan says which.
    if (a.default !== undefined && config[a.attribute] === null) planned[a.attribute] = a.default;
  }
  if (config.user === null) planned.user = derivedOwner(planned, prior, lookup);
  planned.id = isUnknown(planned.name) ? UNKNOWN : planned.name!;
  planned.managed = true;

  const requiresReplace = prior === null ? [] : replacingChanges(prior, planned, config, framingFree(request.priorPrivate));
  if (prior === null || requiresReplace.length > 0) {
    planned.ifindex = UNKNOWN;
  } else {
    // In place keeps the device, hence its ifindex.
    planned.ifindex = prior.ifindex ?? UNKNOWN;
  }
  return {
    planned,
    ...(requiresReplace.length > 0 ? { requiresReplace } : {}),
    ...(diagnostics.length > 0 ? { diagnostics } : {}),
  };
}
