import type { DesiredState, DeviceSpec, LiveDevice, LiveState } from '../model.js';
import { bug } from '../errors.js';
import { MARKER_PREFIX } from '../marker.js';
import { attachedProcesses, attachedQueues, creationReasons, foreignPids, framingChanges, inPlaceChanges, onlyFramingDiffers } from './diff.js';
import { sortActions, sortConflicts } from './order.js';
import type { Action, ActionKind, Conflict, Plan, PlanOptions } from './types.js';

/**
 * Compares what the spec declares with what the kernel has and lists what
 * apply would do. Pure: the same inputs always give the same plan, so plans
 * can be golden-tested and diffed.
 */
export function plan(desired: DesiredState, live: LiveState, options: PlanOptions = {}): Plan {
  if ((desired.netns ?? null) !== (live.netns ?? null)) {
    throw bug(`plan called with spec for netns ${String(desired.netns)} and live state of ${String(live.netns)}`);
  }
  const liveByName = indexByName(live.devices, 'live');
  const declared = indexByName(desired.devices, 'desired');
  const otherLinks = new Map((live.otherLinks ?? []).map((l) => [l.name, l]));

  const actions: Action[] = [];
  const conflicts: Conflict[] = [];

  for (const spec of desired.devices) {
    const current = liveByName.get(spec.name);
    const other = otherLinks.get(spec.name);
    if (current === undefined && other !== undefined) {
      if (!options.destroy) conflicts.push(otherLinkConflict(other));
      continue;
    }
    if (current !== undefined && !current.managed) {
      // destroy only removes what tunform made; a foreign device of that name is simply not ours to report.
      if (!options.destroy) conflicts.push(unmanagedConflict(current));
      continue;
    }
    const action = options.destroy ? destroyAction(current) : reconcile(spec, current, options.generation);
    if (action !== undefined) actions.push(action);
  }

  if ((options.prune ?? true) && !options.destroy) {
    for (const current of live.devices) {
      if (current.managed && !declared.has(current.name)) actions.push(deleteAction(current, 'pruned'));
    }
  }

  const sorted = sortActions(actions);
  return {
    formatVersion: 1,
    netns: desired.netns ?? null,
    actions: sorted,
    conflicts: sortConflicts(conflicts),
    summary: summarize(sorted, conflicts.length),
  };
}

function otherLinkConflict(link: { name: string; ifindex: number; kind: string }): Conflict {
  return {
    name: link.name,
    ifindex: link.ifindex,
    message: `'${link.name}' is taken by a ${link.kind} link, not a tun/tap device; tunform will not touch it`,
  };
}

function reconcile(spec: DeviceSpec, current: LiveDevice | undefined, generation: string | undefined): Action | undefined {
  if (current === undefined) return { action: 'create', name: spec.name, device: spec };
  const reasons = creationReasons(spec, current);
  const framingOnly = onlyFramingDiffers(reasons);
  const repairable = framingOnly && attachedQueues(current) === 0;
  if (Object.keys(reasons).length > 0 && !repairable) {
    return {
      action: 'replace',
      name: spec.name,
      ifindex: current.ifindex,
      reasons,
      device: spec,
      attachedPids: foreignPids(current),
      ...(framingOnly ? { flagsHeldBy: attachedProcesses(current) } : {}),
    };
  }
  const changes = { ...framingChanges(reasons), ...inPlaceChanges(spec, current, generation) };
  if (Object.keys(changes).length === 0) return undefined;
  return { action: 'update', name: spec.name, ifindex: current.ifindex, changes };
}

function destroyAction(current: LiveDevice | undefined): Action | undefined {
  return current === undefined ? undefined : deleteAction(current, 'destroy');
}

function deleteAction(current: LiveDevice, reason: 'pruned' | 'destroy'): Action {
  return { action: 'delete', name: current.name, ifindex: current.ifindex, reason, attachedPids: foreignPids(current) };
}

function unmanagedConflict(current: LiveDevice): Conflict {
  return {
    name: current.name,
    ifindex: current.ifindex,
    message: `device '${current.name}' exists but was not created by tunform (no '${MARKER_PREFIX}' alias); tunform will not modify it`,
  };
}

function summarize(actions: readonly Action[], conflict: number): Plan['summary'] {
  const counts: Record<ActionKind, number> = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const a of actions) counts[a.action] += 1;
  return { ...counts, conflict };
}

function indexByName<T extends { readonly name: string }>(items: readonly T[], side: string): Map<string, T> {
  const byName = new Map<string, T>();
  for (const item of items) {
    // Validation and the live reader both guarantee unique names; a duplicate here would silently drop a device.
    if (byName.has(item.name)) throw bug(`duplicate device name '${item.name}' in ${side} state`);
    byName.set(item.name, item);
  }
  return byName;
}

// Callers that plan usually also ask whether anything differs; one import serves both.
export { isInSync, driftedDevices } from './inspect.js';
