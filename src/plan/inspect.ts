import { sortedStrings } from './order.js';
import type { Plan } from './types.js';

/** Nothing to do and nothing blocking: the live state matches the spec. */
export function isInSync(plan: Plan): boolean {
  return plan.actions.length === 0 && plan.conflicts.length === 0;
}

/** Names of devices that differ from the spec, conflicts included, each once, sorted. */
export function driftedDevices(plan: Plan): string[] {
  const names = new Set<string>();
  for (const a of plan.actions) names.add(a.name);
  for (const c of plan.conflicts) names.add(c.name);
  return sortedStrings(names);
}
