import type { Io } from '../io.js';
import { loadDesiredAndLive, type SourceOptions } from '../desired.js';
import { isInSync, plan } from '../../plan/plan.js';
import { renderDriftHuman, renderDriftJson } from '../../plan/render.js';
import { asTunformError, EXIT_CODES, EXIT_DRIFT, EXIT_OK } from '../../errors.js';
import { reportFailure } from '../report-error.js';

export interface DriftOptions extends SourceOptions {
  readonly json?: boolean;
  readonly prune?: boolean;
}

/**
 * Drift follows terraform's -detailed-exitcode convention, because CI gates
 * branch on it: 0 in sync, 2 drift, 1 for any error (the error's kind is
 * still printed and in the JSON document).
 */
export async function runDrift(opts: DriftOptions, io: Io): Promise<number> {
  try {
    const { desired, live } = await loadDesiredAndLive(opts, io);
    const result = plan(desired, live, { prune: opts.prune !== false });
    io.out(opts.json ? renderDriftJson(result) : renderDriftHuman(result));
    return isInSync(result) ? EXIT_OK : EXIT_DRIFT;
  } catch (e) {
    return reportFailure(asTunformError(e), io, opts.json, EXIT_CODES.invalid);
  }
}
