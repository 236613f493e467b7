/**
 * What the namespace's holder says it holds. Used only when the /proc scan
 * could not see every process: an unprivileged user cannot read the fds of
 * the holder, which runs as root, but may ask it (`ping`, `list`).
 */
import { holderRequest } from '../sys/holder-session.js';
import { HOLDER_COMM } from './proc-scan.js';
import type { Attachment } from './types.js';

/** A read must not wait long on a holder that does not answer: the /proc view then stands. */
const HOLDER_VIEW_IDLE_MS = 5_000;

export async function addHolderView(byDevice: ReadonlyMap<string, Attachment>, netns: string | undefined): Promise<ReadonlyMap<string, Attachment>> {
  let answers: string[];
  try {
    answers = await holderRequest(netns, ['ping', 'list'], { idleTimeoutMs: HOLDER_VIEW_IDLE_MS });
  } catch {
    // No holder (or none we may reach): the scan's view stands.
    return byDevice;
  }
  const pid = Number(/^ok ping (\d+)$/.exec(answers[0] ?? '')?.[1]);
  const list = answers[1] ?? '';
  if (!Number.isInteger(pid) || !list.startsWith('ok list')) return byDevice;
  const merged = new Map(byDevice);
  for (const name of list.slice('ok list'.length).split(' ').filter(Boolean)) {
    const seen = merged.get(name) ?? { attachedPids: [], holderPids: [] };
    if (seen.holderPids.includes(pid)) continue;
    merged.set(name, {
      attachedPids: [...new Set([...seen.attachedPids, pid])].sort((a, b) => a - b),
      holderPids: [...seen.holderPids, pid].sort((a, b) => a - b),
      processNames: { ...seen.processNames, [pid]: HOLDER_COMM },
    });
  }
  return merged;
}
