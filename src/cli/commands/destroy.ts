import type { Io } from '../io.js';
import { loadDesiredWith, type SourceOptions } from '../desired.js';
import { applyDesired, lockAndRead } from '../../apply/apply.js';
import { renderApplyHuman, renderApplyJson } from './apply.js';

export interface DestroyCommandOptions extends SourceOptions {
  readonly json?: boolean;
  readonly force?: boolean;
  readonly device?: string[];
  readonly generation?: string;
}

export async function runDestroy(opts: DestroyCommandOptions, io: Io): Promise<number> {
  // The lock is taken while the spec is validated, so live state is read once, under it.
  const { desired, read: locked } = await loadDesiredWith(
    opts,
    io,
    (netns) => lockAndRead(netns, () => io.err(`waiting for another tunform run on ${netns ? `netns '${netns}'` : 'this namespace'} to finish...\n`)),
    async (l) => l.lock?.release(),
  );
  const result = await applyDesired(desired, {
    locked,
    destroy: true,
    force: opts.force === true,
    ...(opts.device ? { devices: opts.device } : {}),
    ...(opts.generation !== undefined ? { onlyGeneration: opts.generation } : {}),
  });
  io.out(opts.json ? renderApplyJson(result) : renderApplyHuman(result, io.color, 'Destroy'));
  return 0;
}
