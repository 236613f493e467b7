/**
 * The adoption rule, pure: may tunform take over a device it did not create?
 * Shared by `tunform import` and the Terraform provider's import through
 * src/apply/adopt.ts, so both adopt exactly the same devices for the same
 * reasons.
 *
 * A device is adopted only when it is a tun/tap device without tunform's
 * marker and, when a spec is given, nothing the kernel cannot change in place
 * differs (creationReasons: mode, multiQueue, packetInfo, vnetHeader, an owner
 * where the spec declares only a group, anyoneMayAttach on an owned device):
 * adoption must never lead to a replace, so the ifindex and every attached
 * program survive the next apply.
 */
import type { DeviceSpec, LiveDevice, LiveState } from '../model.js';
import { MARKER_PREFIX } from '../marker.js';
import { creationReasons } from './diff.js';
import { reasonEntries, reasonNote, showValue } from './format.js';
import { plan } from './plan.js';
import type { Plan, ReplaceAction } from './types.js';

/** One device to adopt; without a spec (Terraform import by ID) the fixed flags are not checked here. */
export interface AdoptRequest {
  readonly name: string;
  readonly spec?: DeviceSpec;
}

export type AdoptDecision =
  /** Unmarked tun/tap device whose fixed flags match: mark it managed. */
  | { readonly kind: 'adopt'; readonly name: string; readonly ifindex: number; readonly alias: string | null }
  /** Already carries the marker: nothing to do. */
  | { readonly kind: 'managed'; readonly name: string; readonly ifindex: number }
  /** No link of that name: nothing to adopt (apply would create it). */
  | { readonly kind: 'absent'; readonly name: string }
  /** A link of another kind (veth, bridge...): never adopted. */
  | { readonly kind: 'not-tun'; readonly name: string; readonly ifindex: number; readonly linkKind: string }
  /** Fixed flags differ from the spec: adopting would mean a replace. */
  | { readonly kind: 'mismatch'; readonly name: string; readonly ifindex: number; readonly reasons: ReplaceAction['reasons'] };

export const REFUSED_KINDS: ReadonlySet<AdoptDecision['kind']> = new Set(['not-tun', 'mismatch']);

export function isRefused(d: AdoptDecision): boolean {
  return REFUSED_KINDS.has(d.kind);
}

export function decideAdoption(request: AdoptRequest, live: LiveState): AdoptDecision {
  const { name } = request;
  const device = live.devices.find((d) => d.name === name);
  if (device === undefined) {
    const other = live.otherLinks?.find((l) => l.name === name);
    return other ? { kind: 'not-tun', name, ifindex: other.ifindex, linkKind: other.kind } : { kind: 'absent', name };
  }
  if (device.managed) return { kind: 'managed', name, ifindex: device.ifindex };
  if (request.spec !== undefined) {
    const reasons = creationReasons(request.spec, device);
    if (Object.keys(reasons).length > 0) return { kind: 'mismatch', name, ifindex: device.ifindex, reasons };
  }
  return { kind: 'adopt', name, ifindex: device.ifindex, alias: device.alias ?? null };
}

/** One sentence per decision, for the CLI, the provider's diagnostics and the plan JSON. */
export function describeAdoption(d: AdoptDecision): string {
  switch (d.kind) {
    case 'adopt':
      return `'${d.name}' (ifindex ${d.ifindex}) is a tun/tap device without the '${MARKER_PREFIX}' marker: adopted, it keeps its ifindex and attached processes`;
    case 'managed':
      return `'${d.name}' is already managed by tunform; nothing to adopt`;
    case 'absent':
      return `'${d.name}' does not exist; nothing to adopt (apply would create it)`;
    case 'not-tun':
      return `'${d.name}' is a ${d.linkKind} link, not a tun/tap device; tunform never adopts it`;
    case 'mismatch': {
      const why = reasonEntries(d.reasons).map(([f, c]) => {
        const note = reasonNote(f, c);
        return `${f}: ${showValue(c.from)} (live) vs ${showValue(c.to)} (spec)${note === undefined ? '' : `: ${note}`}`;
      });
      // A kept owner is not a flag fixed at creation: say what both have in common.
      if (d.reasons.user !== undefined) {
        return `'${d.name}' cannot be adopted: it differs from the spec in what the kernel cannot change in place (${why.join(', ')}), so only a replace could give it the spec: delete the device, or change the spec to match`;
      }
      return `'${d.name}' cannot be adopted: its fixed flags differ from the spec (${why.join(', ')}); the kernel fixes them at creation, so only a replace could change them: delete the device, or change the spec to match`;
    }
  }
}

/** The live state as it will be once the adoptable devices carry the marker. */
export function liveAfterAdoption(live: LiveState, decisions: readonly AdoptDecision[]): LiveState {
  const adopted = new Set(decisions.filter((d) => d.kind === 'adopt').map((d) => d.name));
  const mark = (d: LiveDevice): LiveDevice => (adopted.has(d.name) ? { ...d, managed: true, alias: MARKER_PREFIX } : d);
  return { ...live, devices: live.devices.map(mark) };
}

/**
 * What apply would change on the requested devices after adoption (never a
 * replace of an adopted device: adoption refuses those). Devices of the spec
 * that were not requested are left out, and nothing is pruned.
 */
export function planAfterAdoption(netns: string | undefined, specs: readonly DeviceSpec[], live: LiveState, decisions: readonly AdoptDecision[]): Plan {
  return plan({ ...(netns !== undefined ? { netns } : {}), devices: specs }, liveAfterAdoption(live, decisions), { prune: false });
}
