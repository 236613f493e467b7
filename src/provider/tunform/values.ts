/**
 * Terraform values <-> the spec's vocabulary. Pure.
 *
 * Config to spec: a decoded Terraform object (snake_case, null, UNKNOWN)
 * becomes the plain object the spec validator takes (camelCase, absent keys).
 * Null is absent: not managed, or the default. Unknown values are left out
 * and remembered, so checks that need them wait until apply.
 *
 * Live to state: what Read reports. The user's spelling is kept wherever it
 * means what the kernel has (`FD00::1/64` for `fd00::1/64`, `nobody` for
 * 65534), so a plan never shows a change that is only a spelling, and apply
 * returns exactly what was planned.
 */
import { isUnknown, type CtyObject, type CtyValue } from '../contract.js';
import { anyoneMayAttachLive, type LiveDevice } from '../../model.js';
import type { SystemLookup } from '../../spec/lookup.js';
import { parseCidr } from '../../spec/address.js';
import { DEVICE_ATTRIBUTES } from './names.js';
import { deviceAttributes } from './schema.js';

export interface SpecInput {
  /** camelCase keys, only known non-null values; addresses without unknown elements. */
  readonly raw: Record<string, unknown>;
  /** Spec keys whose whole value is unknown: left out of validation. */
  readonly unknownKeys: ReadonlySet<string>;
  /** Spec keys whose collection has unknown elements: the known ones are validated. */
  readonly partlyUnknownKeys: ReadonlySet<string>;
  /** For raw.addresses[i], the element as configured (a set element is addressed by its value). */
  readonly addressElements: readonly string[];
}

export function specInputOf(values: CtyObject): SpecInput {
  const raw: Record<string, unknown> = {};
  const unknownKeys = new Set<string>();
  const partlyUnknownKeys = new Set<string>();
  let addressElements: string[] = [];
  for (const { key, attribute } of DEVICE_ATTRIBUTES) {
    const v = values[attribute];
    if (v === null || v === undefined) continue;
    if (isUnknown(v)) {
      unknownKeys.add(key);
      continue;
    }
    if (Array.isArray(v)) {
      const known = v.filter((e) => !isUnknown(e));
      if (known.length !== v.length) partlyUnknownKeys.add(key);
      if (key === 'addresses') addressElements = known.filter((e): e is string => typeof e === 'string');
      raw[key] = known;
      continue;
    }
    raw[key] = v;
  }
  return { raw, unknownKeys, partlyUnknownKeys, addressElements };
}

const sameId = (written: CtyValue, liveId: number | undefined, resolve: (v: string) => number | undefined): boolean =>
  typeof written === 'string' && liveId !== undefined && resolve(written) === liveId;

/** The owner as state shows it: the prior spelling when it names the live id, else the id; null when unmanaged. */
function principalState(prior: CtyValue, liveId: number | undefined, resolve: (v: string) => number | undefined): CtyValue {
  if (sameId(prior, liveId, resolve)) return prior;
  return liveId === undefined ? null : String(liveId);
}

/** Live addresses, each in the prior spelling that canonicalises to it, else canonical. Null when unmanaged. */
function addressesState(prior: CtyValue, live: readonly string[]): CtyValue {
  if (!Array.isArray(prior)) return null;
  const spelling = new Map<string, string>();
  for (const p of prior) {
    if (typeof p !== 'string') continue;
    const c = parseCidr(p);
    if (c.ok) spelling.set(c.value.cidr, p);
  }
  return live.map((cidr) => spelling.get(cidr) ?? cidr);
}

/** An optional (unmanaged when null) field as Read reports it. */
function optionalState(key: string, prior: CtyValue, live: LiveDevice, lookup: SystemLookup): CtyValue {
  if (prior === null || prior === undefined || isUnknown(prior)) return null;
  switch (key) {
    case 'group':
      return principalState(prior, live.group, (v) => lookup.resolveGroup(v));
    case 'addresses':
      return addressesState(prior, live.addresses);
    default:
      return (live[key as keyof LiveDevice] as CtyValue | undefined) ?? null;
  }
}

/**
 * The resource's state for a live device. `prior` decides which optional
 * fields are managed (null there: stays null) and how values are spelled;
 * without a prior (import) every optional field is unmanaged. `user` is the
 * exception: always the live owner, since a configuration without it still
 * asks for one (root) or for none (a group alone).
 */
export function stateFromLive(live: LiveDevice, prior: CtyObject | null, lookup: SystemLookup): CtyObject {
  const state: Record<string, CtyValue> = {};
  for (const a of deviceAttributes()) {
    state[a.attribute] = a.key === 'anyoneMayAttach'
      ? anyoneMayAttachLive(live) // what the kernel's owner and group say, not a field of its own
      : a.key === 'user'
        ? // Always managed (deviceOwner): the live owner, or null for none, so a plan can show it go.
          principalState(prior?.[a.attribute] ?? null, live.user, (v) => lookup.resolveUser(v))
        : a.required || a.default !== undefined
          ? (live[a.key as keyof LiveDevice] as CtyValue)
          : optionalState(a.key, prior?.[a.attribute] ?? null, live, lookup);
  }
  state.id = live.name;
  state.ifindex = live.ifindex;
  state.managed = live.managed;
  return state;
}
