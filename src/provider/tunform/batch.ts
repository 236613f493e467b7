/**
 * One reconcile run for a batch of ApplyResourceChange calls, through the
 * CLI's apply engine (applyDesired: lock, plan, refusals, holder, ip -batch,
 * verification). Each run is scoped to the batch's devices (`devices`, which
 * also turns pruning off), so devices other resources own are never touched.
 *
 * Per device the outcome is judged from the kernel, not from messages: after
 * the run, live state is read once and each device is planned alone; in sync
 * is success. A device the engine refused before changing anything (a
 * conflict, processes attached) is named by the refusal's problem path; it is
 * dropped and the run repeated for the others.
 */
import type { DesiredState, DeviceSpec, LiveState } from '../../model.js';
import type { ApplyOptions, ApplyResult } from '../../apply/apply.js';
import type { Lock } from '../../apply/lock.js';
import type { AdoptOptions, AdoptResult } from '../../apply/adopt.js';
import type { AdoptRequest } from '../../plan/adopt.js';
import { handOverAdvice } from '../../live/other-managers.js';
import { asTunformError, type TunformError } from '../../errors.js';
import { isInSync, plan as computePlan } from '../../plan/plan.js';
import { renderPlanHuman } from '../../plan/render-human.js';

export interface DeviceChange {
  readonly kind: 'upsert' | 'delete';
  readonly device: DeviceSpec;
  /** An imported device that does not carry the marker yet: adopt it (mark it managed) before the run. */
  readonly adopt: boolean;
}

export interface ChangeFailure {
  readonly summary: string;
  readonly detail: string;
  /** The apply engine refused the device before changing anything: the detail gets a hint once live state is known. */
  readonly refused?: true;
}

export interface BatchOutcome {
  /** Live state read after the run (shared by the whole batch). */
  readonly live: LiveState;
  readonly failure?: ChangeFailure;
  /** Another network manager still declares the device (adoption's hand-over advice). */
  readonly warnings?: readonly string[];
}

export interface EngineDeps {
  readonly applyDesired: (desired: DesiredState, opts: ApplyOptions) => Promise<ApplyResult>;
  /** The engine's own lock-then-read, handed to applyDesired so a run reads live state once before changing anything. */
  readonly lockAndRead: (netns: string | undefined, names?: readonly string[]) => Promise<{ lock?: Lock; live: LiveState }>;
  /** `tunform import`'s engine: marks unmarked tun/tap devices, refusing (by name) what may not be adopted. */
  readonly adoptDevices: (netns: string | undefined, requests: readonly AdoptRequest[], opts?: AdoptOptions) => Promise<AdoptResult>;
  /** A read that starts now (the run changed things). */
  readonly readFresh: () => Promise<LiveState>;
}

export interface BatchSettings {
  readonly netns?: string;
  readonly force: boolean;
}

const verbOf = (c: DeviceChange) => (c.kind === 'delete' ? 'delete' : 'apply');

/** What the user can do about a refusal, judged from the kernel: whose is the name, and is the device in use. */
function refusalHint(c: DeviceChange, live: LiveState): string {
  const name = c.device.name;
  const other = (live.otherLinks ?? []).find((l) => l.name === name);
  if (other) return `'${name}' is a ${other.kind} link: choose another name`;
  const device = live.devices.find((d) => d.name === name);
  if (device && !device.managed) return `to hand this existing device to Terraform, import it: terraform import <resource address> ${name}`;
  return 'set force = true in the provider block to replace or delete it anyway (the processes lose the device)';
}

/**
 * Runs `run` for the changes until it succeeds or fails midway. A refusal
 * (kind invalid, problems naming devices) changes nothing: the named devices
 * fail with the refusal's sentences and the rest run again. Returns the error
 * of a run that failed midway, for the devices still unjudged.
 */
async function runRefusable(
  changes: readonly DeviceChange[],
  failures: Map<DeviceChange, ChangeFailure>,
  what: (c: DeviceChange) => string,
  run: (remaining: readonly DeviceChange[]) => Promise<unknown>,
  hinted = true,
): Promise<TunformError | undefined> {
  let remaining = changes.filter((c) => !failures.has(c));
  while (remaining.length > 0) {
    try {
      await run(remaining);
      return undefined;
    } catch (e) {
      const err = asTunformError(e);
      const named = new Set(remaining.map((c) => c.device.name));
      const refused = err.kind === 'invalid' ? err.problems.filter((p) => p.path !== undefined && named.has(p.path)) : [];
      if (refused.length === 0) return err;
      for (const c of remaining) {
        const mine = refused.filter((p) => p.path === c.device.name).map((p) => p.message);
        if (mine.length > 0) failures.set(c, { ...(hinted ? { refused: true as const } : {}), summary: `tunform_netdev '${c.device.name}': ${what(c)} refused; nothing was changed for it`, detail: mine.join('\n') });
      }
      remaining = remaining.filter((c) => !failures.has(c));
    }
  }
  return undefined;
}

/**
 * Live state the last engine run read after its changes, and the devices it
 * covers (a scoped run reads only its own); dropped when a run fails, since
 * it then read nothing after them.
 */
interface LastRead {
  live?: LiveState;
  names?: ReadonlySet<string>;
}

function engineRun(
  kind: DeviceChange['kind'],
  changes: readonly DeviceChange[],
  failures: Map<DeviceChange, ChangeFailure>,
  deps: EngineDeps,
  settings: BatchSettings,
  last: LastRead,
  warnings: Map<string, string[]>,
) {
  return runRefusable(
    changes.filter((c) => c.kind === kind),
    failures,
    verbOf,
    async (remaining) => {
      last.live = undefined;
      last.names = undefined;
      const locked = await deps.lockAndRead(
        settings.netns,
        remaining.map((c) => c.device.name),
      );
      const result = await deps.applyDesired(
        { ...(settings.netns !== undefined ? { netns: settings.netns } : {}), devices: remaining.map((c) => c.device) },
        { force: settings.force, devices: remaining.map((c) => c.device.name), destroy: kind === 'delete', locked },
      );
      last.live = result.live;
      last.names = new Set(remaining.map((c) => c.device.name));
      // A run-wide warning (the holder outside its unit) concerns every device of the run. (A remote tunform older than warnings sends none.)
      for (const w of result.report.warnings ?? []) for (const c of remaining) warnings.set(c.device.name, [...(warnings.get(c.device.name) ?? []), w]);
    },
  );
}

/** What is still to do for one device, in the CLI's plan notation; empty when it is as planned. */
function remainingWork(c: DeviceChange, live: LiveState): string {
  const own = live.devices.filter((d) => d.name === c.device.name);
  if (c.kind === 'delete') return own.length === 0 || !own[0]!.managed ? '' : `- delete ${c.device.name} (it still exists)`;
  const p = computePlan(
    { ...(live.netns !== undefined ? { netns: live.netns } : {}), devices: [c.device] },
    { ...live, devices: own, otherLinks: (live.otherLinks ?? []).filter((l) => l.name === c.device.name) },
    { prune: false },
  );
  return isInSync(p) ? '' : renderPlanHuman(p).trimEnd();
}

export async function runChanges(changes: readonly DeviceChange[], deps: EngineDeps, settings: BatchSettings): Promise<BatchOutcome[]> {
  const failures = new Map<DeviceChange, ChangeFailure>();
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.device.name, (counts.get(c.device.name) ?? 0) + 1);
  for (const c of changes) {
    if ((counts.get(c.device.name) ?? 0) > 1) {
      failures.set(c, {
        summary: `tunform_netdev '${c.device.name}': two resources declare this device; nothing was changed for it`,
        detail: "device names must be unique in a namespace: give one of them another 'name', or another provider (netns)",
      });
    }
  }

  // Imported devices become tunform's before the run, through `tunform import`'s own engine.
  const warnings = new Map<string, string[]>();
  const adoptError = await runRefusable(
    changes.filter((c) => c.adopt),
    failures,
    () => 'adoption of the imported device',
    async (remaining) => {
      // A delete needs no flag check: Terraform owns the device and is removing it.
      const result = await deps.adoptDevices(settings.netns, remaining.map((c) => (c.kind === 'upsert' ? { name: c.device.name, spec: c.device } : { name: c.device.name })));
      for (const m of result.otherManagers) warnings.set(m.name, [...(warnings.get(m.name) ?? []), handOverAdvice(m)]);
    },
    false, // adoption's sentences already say what to do
  );
  if (adoptError) {
    for (const c of changes.filter((x) => x.adopt && !failures.has(x))) {
      failures.set(c, { summary: `tunform_netdev '${c.device.name}': could not mark the imported device as managed; nothing else was changed for it`, detail: [adoptError.message, ...adoptError.details].join('\n') });
    }
  }

  // Deletes first, so a name or address a deleted device frees is there for a create in the same batch.
  const last: LastRead = {};
  const deleteError = await engineRun('delete', changes, failures, deps, settings, last, warnings);
  const upsertError = await engineRun('upsert', changes, failures, deps, settings, last, warnings);

  // The last run's verification read came after every change of the batch and is scoped to its devices:
  // when it does not cover every device to judge (a refusal, deletes and creates in one batch), read again.
  const covered = last.live !== undefined && changes.every((c) => last.names?.has(c.device.name));
  const live = covered ? last.live! : await deps.readFresh();
  return changes.map((c): BatchOutcome => {
    const w = warnings.get(c.device.name);
    return w ? { ...judge(c), warnings: w } : judge(c);
  });

  function judge(c: DeviceChange): BatchOutcome {
    const failure = failures.get(c);
    if (failure?.refused) return { live, failure: { summary: failure.summary, detail: `${failure.detail}\n${refusalHint(c, live)}` } };
    if (failure) return { live, failure };
    const left = remainingWork(c, live);
    if (left === '') return { live };
    const err = c.kind === 'delete' ? deleteError : upsertError;
    return {
      live,
      failure: {
        summary: `tunform_netdev '${c.device.name}': ${verbOf(c)} failed${err ? `: ${err.message}` : ': live state differs from the plan after the run'}`,
        detail: [`not done for '${c.device.name}':`, left, ...(err ? ['the run reported:', ...err.details] : [])].join('\n'),
      },
    };
  }
}
