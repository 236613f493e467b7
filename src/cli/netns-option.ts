import { invalidInput } from '../errors.js';
import { systemLookup } from '../live/system-lookup.js';
import { netnsNameSchema } from '../spec/schema.js';
import { netnsMissingMessage } from '../spec/show.js';

/**
 * `--netns` is checked before anything else runs: a namespace that is not
 * there is the flag's fault, not the spec file's, and nothing (a lock, a run
 * directory) should be started for it.
 */
export function checkNetnsOption(netns: string | undefined): void {
  if (netns === undefined) return;
  const valid = netnsNameSchema.safeParse(netns);
  if (!valid.success) {
    throw invalidInput(valid.error.issues.map((issue) => `${issue.message} (from --netns)`).join('; '));
  }
  if (!systemLookup.netnsExists(netns)) throw invalidInput(netnsMissingMessage(netns, '--netns'));
}
