import { REPLACE_REASONS, type AttachedProcess, type FieldChange, type ReplaceAction } from './types.js';

/** How a single value reads in human output; null is a value the kernel does not have set. */
export function showValue(v: string | number | boolean | null): string {
  return v === null ? '(none)' : String(v);
}

/** Replace reasons in their one order (REPLACE_REASONS), for stable output. */
export function reasonEntries(reasons: ReplaceAction['reasons']): Array<[string, FieldChange<string | boolean>]> {
  const entries: Array<[string, FieldChange<string | boolean>]> = [];
  for (const field of REPLACE_REASONS) {
    const change = reasons[field];
    if (change !== undefined) entries.push([field, change]);
  }
  return entries;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Why framing flags cannot be set in place, for drift and plan text. */
export const FRAMING_KEPT = 'the kernel keeps packetInfo and vnetHeader while a queue is attached';

/** Why they can: the next attacher's flags become the device's. */
export const FRAMING_IN_PLACE = 'no queue is attached: apply sets it again in place';

/** Who holds a device whose framing differs: `set by qemu-system-x86 pid 1234, which holds the device`. */
export function heldByText(procs: readonly AttachedProcess[]): string {
  if (procs.length === 0) return 'a queue is attached by a process that only root can name';
  const one = (p: AttachedProcess) => `${p.holder ? "tunform's holder" : (p.name ?? 'process')} pid ${p.pid}`;
  if (procs.length === 1 && !procs[0]!.holder) return `set by ${one(procs[0]!)}, which holds the device`;
  return `held by ${procs.map(one).join(', ')}`;
}
