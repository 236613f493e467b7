import type { Io } from '../io.js';
import { loadDesiredLocked, type SourceOptions } from '../desired.js';
import { scopeDesired } from '../../apply/apply.js';
import { adoptDevices, type AdoptResult } from '../../apply/adopt.js';
import { describeAdoption } from '../../plan/adopt.js';
import { handOverAdvice } from '../../live/other-managers.js';
import { renderPlanHuman, renderPlanJson } from '../../plan/render.js';

export interface ImportCommandOptions extends SourceOptions {
  readonly json?: boolean;
  readonly generation?: string;
}

export function renderImportJson(r: AdoptResult): string {
  const doc = {
    formatVersion: 1,
    decisions: r.decisions.map((d) => ({ ...d, message: describeAdoption(d) })),
    adopted: r.adopted,
    otherManagers: r.otherManagers.map((m) => ({ ...m, advice: handOverAdvice(m) })),
    // What apply would then change: the document `plan --json` prints.
    after: JSON.parse(renderPlanJson(r.after)) as unknown,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function renderImportHuman(r: AdoptResult, color: boolean): string {
  let out = r.decisions.map((d) => `${d.kind === 'adopt' ? 'adopted' : d.kind}: ${describeAdoption(d)}\n`).join('');
  out += `\nImport complete: ${r.adopted.length} device(s) adopted. What apply would now change:\n`;
  out += renderPlanHuman(r.after, { color });
  return out;
}

/** `tunform import -f FILE [NAME...]`: adopt the named declared devices (all when none are named). */
export async function runImport(names: readonly string[], opts: ImportCommandOptions, io: Io): Promise<number> {
  const { desired, read: locked } = await loadDesiredLocked(opts, io);
  let scoped;
  try {
    scoped = scopeDesired(desired, names, "'import'");
  } catch (e) {
    await locked.lock?.release();
    throw e;
  }
  const result = await adoptDevices(
    desired.netns,
    scoped.devices.map((spec) => ({ name: spec.name, spec })),
    { locked, ...(opts.generation !== undefined ? { generation: opts.generation } : {}) },
  );
  for (const m of result.otherManagers) io.err(`warning: ${handOverAdvice(m)}\n`);
  io.out(opts.json ? renderImportJson(result) : renderImportHuman(result, io.color));
  return 0;
}
