import type { Io } from '../io.js';
import { loadDesiredLocked, type SourceOptions } from '../desired.js';
import { applyDesired } from '../../apply/apply.js';
import { renderApplyHuman, renderApplyJson } from './apply.js';
import { cliProgress } from '../progress.js';

export interface DestroyCommandOptions extends SourceOptions {
  readonly json?: boolean;
  readonly force?: boolean;
  readonly device?: string[];
  readonly generation?: string;
  /** Internal: see ApplyCommandOptions.live. */
  readonly live?: boolean;
}

export async function runDestroy(opts: DestroyCommandOptions, io: Io): Promise<number> {
  const { desired, read: locked } = await loadDesiredLocked(opts, io, opts.device);
  const result = await applyDesired(desired, {
    locked,
    ...(io.engine ? { io: io.engine } : {}),
    ...(opts.json ? {} : { progress: cliProgress(io) }),
    destroy: true,
    force: opts.force === true,
    ...(opts.device ? { devices: opts.device } : {}),
    ...(opts.generation !== undefined ? { onlyGeneration: opts.generation } : {}),
  });
  io.out(opts.json ? renderApplyJson(result, opts.live) : renderApplyHuman(result, io.color, 'Destroy'));
  return 0;
}
