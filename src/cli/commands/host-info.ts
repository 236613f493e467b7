/**
 * `tunform host-info` (hidden): what a remote caller needs to validate and
 * plan for this host, as JSON — the accounts and namespaces (`--facts`) and
 * the full live state (`--live`). The provider calls it over SSH for a
 * remote `host`; it is an internal interface, versioned with tunform.
 */
import type { Io } from '../io.js';
import { checkNetnsOption } from '../netns-option.js';
import { readLiveState } from '../../live/index.js';
import { readHostFacts } from '../../live/system-lookup.js';

export interface HostInfoOptions {
  readonly json?: boolean;
  readonly netns?: string;
  readonly facts?: boolean;
  readonly live?: boolean;
}

export async function runHostInfo(opts: HostInfoOptions, io: Io): Promise<number> {
  if (opts.live) checkNetnsOption(opts.netns);
  const doc = {
    formatVersion: 1,
    ...(opts.facts ? { facts: readHostFacts() } : {}),
    ...(opts.live ? { live: await (io.engine ? io.engine.read(opts.netns) : readLiveState({ netns: opts.netns })) } : {}),
  };
  io.out(`${JSON.stringify(doc)}\n`);
  return 0;
}
