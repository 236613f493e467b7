import { REPLACE_REASONS, type AttachedProcess, type FieldChange, type ReplaceAction } from './types.js';

/** How a single value reads in human output; null is a value the kernel does not have set. */
export function showValue(v: string | number | boolean | null): string {
  return v === null ? '(none)' : String(v);
}

type Reason = FieldChange<string | number | boolean>;

/** Replace reasons in their one order (REPLACE_REASONS), for stable output. */
export function reasonEntries(reasons: ReplaceAction['reasons']): Array<[string, Reason]> {
  const entries: Array<[string, Reason]> = [];
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

/**
 * Why a reason means a replace, where its from/to alone does not say it:
 * a kept owner is not a creation flag, so plan, drift and import explain it.
 */
export function reasonNote(field: string, change: Reason): string | undefined {
  return field === 'user' ? `owner ${showValue(change.from)} blocks the group's other members and the kernel cannot clear an owner` : undefined;
}

/** One reason as plan text: `mode: tun -> tap`, `user: 0 -> (none): owner 0 blocks ...`. */
export function reasonText(field: string, change: Reason): string {
  const note = reasonNote(field, change);
  return `${field}: ${showValue(change.from)} -> ${showValue(change.to)}${note === undefined ? '' : `: ${note}`}`;
}
