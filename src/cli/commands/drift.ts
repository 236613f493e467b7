import type { Io } from '../io.js';
import { loadDesiredAndLive, type SourceOptions } from '../desired.js';
import { isInSync, plan } from '../../plan/plan.js';
import { renderDriftHuman, renderDriftJson } from '../../plan/render.js';
import { asTunformError, EXIT_CODES, EXIT_DRIFT, EXIT_OK, invalidInput } from '../../errors.js';
import { reportFailure } from '../report-error.js';
import type { FleetMember } from '../fleet-drift.js';
import { dirname } from 'node:path';

export interface DriftOptions extends SourceOptions {
  readonly json?: boolean;
  readonly prune?: boolean;
  /** With --synth over a stack of several hosts: how many hosts are checked at once. */
  readonly parallel?: string;
  readonly remoteTunform?: string;
}

/**
 * Drift follows terraform's -detailed-exitcode convention, because CI gates
 * branch on it: 0 in sync, 2 drift, 1 for any error (the error's kind is
 * still printed and in the JSON document).
 */
export async function runDrift(opts: DriftOptions, io: Io): Promise<number> {
  try {
    if (opts.synth !== undefined) {
      const fleet = await fleetDrift({ ...opts, synth: opts.synth }, io);
      if (fleet !== undefined) return fleet;
    } else if (opts.parallel !== undefined) {
      throw invalidInput("'--parallel' only applies with '--synth DIR' over a stack whose providers name hosts");
    }
    const { desired, live } = await loadDesiredAndLive(opts, io);
    const result = plan(desired, live, { prune: opts.prune !== false });
    io.out(opts.json ? renderDriftJson(result) : renderDriftHuman(result));
    return isInSync(result) ? EXIT_OK : EXIT_DRIFT;
  } catch (e) {
    return reportFailure(asTunformError(e), io, opts.json, EXIT_CODES.invalid);
  }
}

/** A stack whose provider configurations name hosts: one check per host (fleet-drift.ts); undefined otherwise. */
async function fleetDrift(opts: DriftOptions & { readonly synth: string }, io: Io): Promise<number | undefined> {
  const { readStackText, listStacks } = await import('../../synth/read-stack.js');
  const { splitByHost, wholeStack, runFleetDrift, parseParallel } = await import('../fleet-drift.js');
  const stacks = await listStacks(opts.synth);
  let file: string;
  let members: FleetMember[] | undefined;
  if (stacks.length > 1) {
    // A cdktf.out of several stacks (one state per host or group of hosts): every stack's hosts, each check naming its stack.
    file = opts.synth;
    members = [];
    for (const stack of stacks) {
      const { text } = await readStackText(dirname(stack.file));
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw invalidInput(`cannot read synthesized stack '${stack.file}': ${e instanceof Error ? e.message : String(e)}`);
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidInput(`synthesized stack '${stack.file}' is not a JSON object`);
      const own = splitByHost(doc) ?? [wholeStack(doc as Record<string, unknown>)];
      const where = { name: stack.name, file: stack.file, label: dirname(stack.file) };
      members.push(...own.map((m) => ({ ...m, stack: where })));
    }
  } else {
    const read = await readStackText(opts.synth);
    file = read.file;
    let doc: unknown;
    try {
      doc = JSON.parse(read.text);
    } catch {
      return undefined; // parseSynthStack reports it
    }
    members = splitByHost(doc);
  }
  if (members === undefined) return undefined;
  return runFleetDrift(
    members,
    {
      file,
      label: opts.synth,
      json: opts.json === true,
      prune: opts.prune !== false,
      parallel: parseParallel(opts.parallel),
      ...(opts.netns !== undefined ? { netns: opts.netns } : {}),
      ...(opts.remoteTunform !== undefined ? { remoteTunform: opts.remoteTunform } : {}),
    },
    io,
  );
}
