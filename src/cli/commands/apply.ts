import type { Io } from '../io.js';
import { loadDesiredLocked, type SourceOptions } from '../desired.js';
import { applyDesired, type ApplyOptions, type ApplyResult } from '../../apply/apply.js';
import { renderPlanHuman, renderPlanJson } from '../../plan/render.js';
import { cliProgress } from '../progress.js';

export interface ApplyCommandOptions extends SourceOptions {
  readonly json?: boolean;
  readonly prune?: boolean;
  readonly force?: boolean;
  readonly device?: string[];
  readonly generation?: string;
  /** Internal (the provider over SSH): the JSON document also carries the live state the run read last, so the caller need not read it again. */
  readonly live?: boolean;
}

export function renderApplyJson(r: ApplyResult, withLive = false): string {
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
        ...(withLive ? { live: r.live } : {}),
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

/** Loads one spec source (the lock taken while it is validated) and applies it. */
export async function applySource(source: SourceOptions, options: Omit<ApplyOptions, 'locked'>, io: Io): Promise<ApplyResult> {
  const { desired, read: locked } = await loadDesiredLocked(source, io, options.devices);
  return applyDesired(desired, { ...options, locked, ...(io.engine ? { io: io.engine } : {}) });
}

export async function runApply(opts: ApplyCommandOptions, io: Io): Promise<number> {
  const result = await applySource(
    opts,
    {
      prune: opts.prune !== false,
      force: opts.force === true,
      ...(opts.device ? { devices: opts.device } : {}),
      ...(opts.generation !== undefined ? { generation: opts.generation } : {}),
      // --json promises nothing on stderr.
      ...(opts.json ? {} : { progress: cliProgress(io) }),
    },
    io,
  );
  io.out(opts.json ? renderApplyJson(result, opts.live) : renderApplyHuman(result, io.color, 'Apply'));
  // --json carries them in report.warnings and promises nothing on stderr.
  if (!opts.json) for (const w of result.report.warnings) io.err(`warning: ${w}\n`);
  return 0;
}
