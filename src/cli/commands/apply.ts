import type { Io } from '../io.js';
import { loadDesiredWith, type SourceOptions } from '../desired.js';
import { applyDesired, lockAndRead, type ApplyOptions, type ApplyResult } from '../../apply/apply.js';
import { renderPlanHuman, renderPlanJson } from '../../plan/render.js';

export interface ApplyCommandOptions extends SourceOptions {
  readonly json?: boolean;
  readonly prune?: boolean;
  readonly force?: boolean;
  readonly device?: string[];
  readonly generation?: string;
}

export function renderApplyJson(r: ApplyResult): string {
  return (
    JSON.stringify(
      {
        formatVersion: 1,
        changed: r.changed,
        verified: r.verified,
        verifyAttempts: r.verifyAttempts,
        // The same document `plan --json` prints, key order included.
        plan: JSON.parse(renderPlanJson(r.plan)) as unknown,
        report: r.report,
      },
      null,
      2,
    ) + '\n'
  );
}

export function renderApplyHuman(r: ApplyResult, color: boolean, verb: string): string {
  if (!r.changed) return 'No changes. Live state matches the spec; nothing was done.\n';
  let out = renderPlanHuman(r.plan, { color });
  out += `\n${verb} complete: ${r.report.done.length} step(s) done; verified after ${r.verifyAttempts} read(s).\n`;
  return out;
}

export async function runApply(opts: ApplyCommandOptions, io: Io): Promise<number> {
  // The lock is taken while the spec is validated, so live state is read once, under it.
  const { desired, read: locked } = await loadDesiredWith(
    opts,
    io,
    (netns) => lockAndRead(netns, () => io.err(`waiting for another tunform run on ${netns ? `netns '${netns}'` : 'this namespace'} to finish...\n`)),
    async (l) => l.lock?.release(),
  );
  const applyOptions: ApplyOptions = {
    locked,
    prune: opts.prune !== false,
    force: opts.force === true,
    ...(opts.device ? { devices: opts.device } : {}),
    ...(opts.generation !== undefined ? { generation: opts.generation } : {}),
  };
  const result = await applyDesired(desired, applyOptions);
  io.out(opts.json ? renderApplyJson(result) : renderApplyHuman(result, io.color, 'Apply'));
  return 0;
}
