import type { Io } from '../io.js';
import { loadDesiredAndLive, type SourceOptions } from '../desired.js';
import { plan } from '../../plan/plan.js';
import { renderPlanHuman, renderPlanJson } from '../../plan/render.js';

export interface PlanCommandOptions extends SourceOptions {
  readonly json?: boolean;
  readonly prune?: boolean;
  readonly destroy?: boolean;
}

export async function runPlan(opts: PlanCommandOptions, io: Io): Promise<number> {
  const { desired, live } = await loadDesiredAndLive(opts, io);
  const result = plan(desired, live, { prune: opts.prune !== false, destroy: opts.destroy === true });
  io.out(opts.json ? renderPlanJson(result) : renderPlanHuman(result, { color: io.color }));
  return 0;
}
