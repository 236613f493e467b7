/**
 * tunform apply and destroy: lock, read, plan, refuse what must not happen,
 * execute (execute.ts), verify. Modelled on nmstate's apply: verification
 * re-reads live state and compares only what the user declared.
 */
import { invalidInput, backendError, verificationError } from '../errors.js';
import type { DesiredState, LiveState } from '../model.js';
import { readLiveState } from '../live/index.js';
import { isInSync, plan as computePlan } from '../plan/plan.js';
import type { Plan, PlanOptions } from '../plan/types.js';
import { planSteps, type Step } from './steps.js';
import { ReportBuilder, reportLines, type ApplyReport } from './report.js';
import { requireNetAdmin } from './privileges.js';
import { acquireLock, type Lock } from './lock.js';
import { executeSteps } from './execute.js';
import { preauthorize } from './preauthorize.js';
import type { Progress } from './progress.js';

export interface ApplyOptions {
  readonly force?: boolean;
  /** Delete managed devices the spec no longer declares (default true; off with `devices`). */
  readonly prune?: boolean;
  /** Reconcile only these declared devices. */
  readonly devices?: readonly string[];
  /** Marker generation to stamp on declared devices. */
  readonly generation?: string;
  /** Destroy instead of apply. */
  readonly destroy?: boolean;
  /** Destroy only devices whose marker still carries this generation (a newer one owns the others). */
  readonly onlyGeneration?: string;
  /** Bounded verification: attempts and first delay (doubles each time). */
  readonly verifyAttempts?: number;
  readonly verifyDelayMs?: number;
  /**
   * The namespace's lock and live state read under it, taken by the caller
   * while the spec was validated (see lockAndRead). Ownership passes to
   * applyDesired, which releases the lock. The lock is absent when it could
   * not be had; apply then takes it itself if there is anything to change.
   */
  readonly locked?: { readonly lock?: Lock; readonly live: LiveState };
  /** Told each phase and step as the run goes (the CLI shows it for long runs). */
  readonly progress?: Progress;
  /** How the run takes the lock and reads live state (default: a process each, oneShotIo). */
  readonly io?: EngineIo;
}

/**
 * How a run takes the namespace's lock and reads its live state. The CLI runs
 * once per process and starts a helper and two `ip` dumps for it; the
 * provider applies batch after batch and keeps them running (sessions.ts).
 */
export interface EngineIo {
  readonly lock: (netns: string | undefined, onWait?: () => void) => Promise<Lock>;
  /** Live state of the namespace; with `names`, it may hold only those devices (a run scoped to them needs no others). */
  readonly read: (netns: string | undefined, names?: readonly string[]) => Promise<LiveState>;
}

export const oneShotIo: EngineIo = {
  lock: (netns, onWait) => acquireLock(netns, onWait ? { onWait } : {}),
  read: (netns) => readLiveState(netns === undefined ? {} : { netns }),
};

export interface ApplyResult {
  readonly plan: Plan;
  readonly report: ApplyReport;
  readonly changed: boolean;
  readonly verified: boolean;
  readonly verifyAttempts: number;
  /** Live state as last read: the verification read after changes, the planning read when there was nothing to do. */
  readonly live: LiveState;
}

/** The declared devices named in `devices` (all when none are named); `given` names the option or argument for the message. */
export function scopeDesired(desired: DesiredState, devices: readonly string[] | undefined, given = "'--device'"): DesiredState {
  if (!devices || devices.length === 0) return desired;
  const declared = new Set(desired.devices.map((d) => d.name));
  const unknown = devices.filter((n) => !declared.has(n));
  if (unknown.length > 0) {
    throw invalidInput(
      `${given} names a device the spec does not declare: ${unknown.map((n) => `'${n}'`).join(', ')}`,
      [],
      [`declared: ${[...declared].map((n) => `'${n}'`).join(', ') || 'none'}`],
    );
  }
  const wanted = new Set(devices);
  return { ...desired, devices: desired.devices.filter((d) => wanted.has(d.name)) };
}

function planFor(desired: DesiredState, live: LiveState, opts: ApplyOptions): Plan {
  const planOptions: PlanOptions = {
    prune: opts.prune !== false && !(opts.devices && opts.devices.length > 0),
    destroy: opts.destroy === true,
    ...(opts.generation !== undefined ? { generation: opts.generation } : {}),
  };
  const p = computePlan(desired, live, planOptions);
  if (opts.onlyGeneration === undefined) return p;
  // An older cdktf resource must not delete a device a newer generation now owns.
  const generationOf = new Map(live.devices.map((d) => [d.name, d.generation]));
  const actions = p.actions.filter((a) => a.action !== 'delete' || generationOf.get(a.name) === opts.onlyGeneration);
  const summary = { ...p.summary, delete: actions.filter((a) => a.action === 'delete').length };
  return { ...p, actions, summary };
}

/** Refusals happen before the lock and before any change. */
function refuseUnsafe(p: Plan, force: boolean): void {
  if (p.conflicts.length > 0) {
    throw invalidInput(
      `${p.conflicts.length} declared name(s) belong to links tunform did not create; nothing was changed`,
      p.conflicts.map((c) => ({ path: c.name, message: c.message })),
      ["remove or rename the existing device, or adopt it with `tunform import -f FILE NAME` if tunform should own it (its fixed flags must match the spec)"],
    );
  }
  if (force) return;
  const busy = p.actions.flatMap((a) =>
    (a.action === 'replace' || a.action === 'delete') && a.attachedPids.length > 0
      ? [{ path: a.name, message: `'${a.name}' would be ${a.action === 'replace' ? 'replaced' : 'deleted'} but processes are attached: pid ${a.attachedPids.join(', ')}` }]
      : [],
  );
  if (busy.length > 0) {
    const framing = p.actions.some((a) => a.action === 'replace' && a.flagsHeldBy !== undefined && a.attachedPids.length > 0);
    throw invalidInput(`refusing to ${busy.length === 1 ? 'disturb a device' : 'disturb devices'} in use; nothing was changed`, busy, [
      'stop those processes, or pass --force to replace or delete anyway (they lose the device)',
      ...(framing ? ['once no queue is attached, apply sets packetInfo/vnetHeader again in place (same ifindex)'] : []),
    ]);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Re-reads after an apply until live matches (the kernel may show a change a moment late), doubling the wait each time. */
export const VERIFY_ATTEMPTS = 5;
export const VERIFY_FIRST_DELAY_MS = 50;
export const VERIFY_MAX_DELAY_MS = 1000;

async function verify(desired: DesiredState, opts: ApplyOptions, io: EngineIo): Promise<{ attempts: number; last: Plan; live: LiveState }> {
  const names = scopeNames(desired, opts);
  const attempts = opts.verifyAttempts ?? VERIFY_ATTEMPTS;
  let delay = opts.verifyDelayMs ?? VERIFY_FIRST_DELAY_MS;
  let last!: Plan;
  let live!: LiveState;
  for (let i = 1; i <= attempts; i++) {
    live = await io.read(desired.netns, names);
    last = planFor(desired, live, opts);
    if (isInSync(last)) return { attempts: i, last, live };
    if (i < attempts) {
      await sleep(delay);
      delay = Math.min(delay * 2, VERIFY_MAX_DELAY_MS);
    }
  }
  return { attempts, last, live };
}

/** The names a scoped run (`devices`: no pruning) reads; undefined when it must see the whole namespace. */
function scopeNames(desired: DesiredState, opts: ApplyOptions): readonly string[] | undefined {
  return opts.devices && opts.devices.length > 0 ? desired.devices.map((d) => d.name) : undefined;
}

function heldNames(live: LiveState): Set<string> {
  return new Set(live.devices.filter((d) => d.holderPids.length > 0).map((d) => d.name));
}

const noChange = (p: Plan, live: LiveState): ApplyResult => ({ plan: p, report: new ReportBuilder().build(), changed: false, verified: true, verifyAttempts: 0, live });

const hasWork = (p: Plan): boolean => p.actions.length > 0 || p.conflicts.length > 0;

/**
 * Takes the namespace's lock and reads live state under it. Callers start this
 * while the spec is still being validated; when the lock cannot be had (no
 * privileges and no setuid helper), the read happens without it and apply
 * takes the lock later, if there is anything to change.
 */
export async function lockAndRead(
  netns: string | undefined,
  onWait?: () => void,
  io: EngineIo = oneShotIo,
  /** The devices of a scoped run (ApplyOptions.devices): the read may hold only these. */
  names?: readonly string[],
): Promise<{ lock?: Lock; live: LiveState }> {
  let lock: Lock | undefined;
  try {
    lock = await io.lock(netns, onWait);
  } catch {
    lock = undefined;
  }
  try {
    return { ...(lock ? { lock } : {}), live: await io.read(netns, names) };
  } catch (e) {
    await lock?.release();
    throw e;
  }
}

/**
 * Applies (or destroys) the desired state. With `opts.locked`, the caller has
 * already taken the lock and read live state under it, and hands both over:
 * the run then reads live state once before changing anything, not twice.
 */
export async function applyDesired(desiredIn: DesiredState, opts: ApplyOptions = {}): Promise<ApplyResult> {
  let lock = opts.locked?.lock;
  const io = opts.io ?? oneShotIo;
  try {
    const desired = scopeDesired(desiredIn, opts.devices);
    const netns = desired.netns;
    const what = opts.destroy ? 'destroy' : 'apply';

    // Nothing to do needs no privileges, and no lock of its own.
    const names = scopeNames(desired, opts);
    let live = opts.locked?.live ?? (await io.read(netns, names));
    let p = planFor(desired, live, opts);
    if (!hasWork(p)) return noChange(p, live);
    requireNetAdmin(`tunform ${what}`);
    if (!lock) {
      lock = await io.lock(netns);
      // Another run may have changed things while we waited for the lock.
      live = await io.read(netns, names);
      p = planFor(desired, live, opts);
      if (!hasWork(p)) return noChange(p, live);
    }
    // Conflicts and busy devices are judged only under the lock: an unlocked read
    // can catch another run's device between its creation and its marker.
    refuseUnsafe(p, opts.force === true);
    const steps: Step[] = planSteps(p, desired.devices, heldNames(live), opts.generation);
    await preauthorize(steps, netns); // setuid helper: every step against its ACL, before the first change
    const report = await executeSteps(steps, netns, opts.progress);
    if (report.failed.length > 0) {
      throw backendError(`${what} failed; the devices are partly changed`, { details: reportLines(report) });
    }
    opts.progress?.phase('verifying');
    const v = await verify(desired, opts, io);
    if (!isInSync(v.last)) {
      const left = v.last.actions.map((a) => `${a.action} ${a.name}`).join('; ');
      throw verificationError(`${what} ran every step but live state still differs after ${v.attempts} reads: ${left}`, reportLines(report));
    }
    return { plan: p, report, changed: true, verified: true, verifyAttempts: v.attempts, live: v.live };
  } finally {
    opts.progress?.end();
    await lock?.release();
  }
}
