/**
 * Adoption, the one engine-level implementation behind `tunform import` and
 * the Terraform provider's import: lock the namespace, read it, decide with
 * the pure rule (src/plan/adopt.ts), refuse the whole run before any change
 * if one device may not be adopted, then set the managed marker on the
 * others, through the same steps, pre-authorisation and executor as apply,
 * and verify. Only the link alias changes: the ifindex, the queues and every
 * attached process stay as they are.
 */
import { backendError, invalidInput, verificationError } from '../errors.js';
import type { LiveState } from '../model.js';
import { formatMarker } from '../marker.js';
import { readLiveState } from '../live/index.js';
import { findOtherManagers, type ManagerDirs, type OtherManager } from '../live/other-managers.js';
import { decideAdoption, describeAdoption, isRefused, planAfterAdoption, type AdoptDecision, type AdoptRequest } from '../plan/adopt.js';
import type { Plan } from '../plan/types.js';
import { acquireLock, type Lock } from './lock.js';
import { requireNetAdmin } from './privileges.js';
import { preauthorize } from './preauthorize.js';
import { executeSteps } from './execute.js';
import { reportLines, type ApplyReport, ReportBuilder } from './report.js';
import type { Step } from './steps.js';

/** Re-reads after marking: the alias is set by one netlink request, so it shows at once or never. */
export const ADOPT_VERIFY_ATTEMPTS = 3;
export const ADOPT_VERIFY_DELAY_MS = 50;

export interface AdoptOptions {
  /** Marker generation to stamp (the cdktf backend's); default the plain marker. */
  readonly generation?: string;
  /** Lock and live state already taken by the caller (see lockAndRead); released here. */
  readonly locked?: { readonly lock?: Lock; readonly live: LiveState };
  /** Where to look for other managers' files (tests); default their system paths. */
  readonly managerDirs?: ManagerDirs;
}

export interface AdoptResult {
  readonly decisions: readonly AdoptDecision[];
  /** Names marked managed by this run. */
  readonly adopted: readonly string[];
  /** What apply would then change on the requested devices that have a spec. */
  readonly after: Plan;
  /** Managers that still declare a requested device. */
  readonly otherManagers: readonly OtherManager[];
  readonly report: ApplyReport;
}

function markerSteps(decisions: readonly AdoptDecision[], generation: string | undefined): Step[] {
  return decisions.filter((d) => d.kind === 'adopt').map((d) => ({ phase: 'netlink', op: 'alias', name: d.name, alias: formatMarker(generation) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function verifyMarked(netns: string | undefined, decisions: readonly AdoptDecision[]): Promise<void> {
  const expected = decisions.filter((d): d is Extract<AdoptDecision, { kind: 'adopt' }> => d.kind === 'adopt');
  let missing: string[] = [];
  for (let i = 1; i <= ADOPT_VERIFY_ATTEMPTS; i++) {
    const live = await readLiveState(netns === undefined ? {} : { netns });
    const byName = new Map(live.devices.map((d) => [d.name, d]));
    missing = expected.filter((d) => !(byName.get(d.name)?.managed && byName.get(d.name)?.ifindex === d.ifindex)).map((d) => d.name);
    if (missing.length === 0) return;
    if (i < ADOPT_VERIFY_ATTEMPTS) await sleep(ADOPT_VERIFY_DELAY_MS);
  }
  throw verificationError(`import set the marker but ${missing.map((n) => `'${n}'`).join(', ')} still read(s) as unmanaged (or with another ifindex) after ${ADOPT_VERIFY_ATTEMPTS} reads`);
}

/** Decides every request; one refusal refuses the run before any change. */
function decideAll(requests: readonly AdoptRequest[], live: LiveState): AdoptDecision[] {
  const decisions = requests.map((r) => decideAdoption(r, live));
  const refused = decisions.filter(isRefused);
  if (refused.length > 0) {
    throw invalidInput(
      `${refused.length} device(s) cannot be adopted; nothing was changed`,
      refused.map((d) => ({ path: d.name, message: describeAdoption(d) })),
    );
  }
  return decisions;
}

/**
 * Adopts the requested devices of one namespace. Refuses (invalid, exit 1)
 * and changes nothing when any requested name is a non-tun link or a tun/tap
 * device whose fixed flags differ from its spec. Absent and already managed
 * devices are reported, not errors.
 */
export async function adoptDevices(netns: string | undefined, requests: readonly AdoptRequest[], opts: AdoptOptions = {}): Promise<AdoptResult> {
  let lock = opts.locked?.lock;
  try {
    let live = opts.locked?.live ?? (await readLiveState(netns === undefined ? {} : { netns }));
    let decisions = decideAll(requests, live);
    let steps = markerSteps(decisions, opts.generation);
    if (steps.length > 0) {
      requireNetAdmin('tunform import');
      if (!lock) {
        lock = await acquireLock(netns);
        live = await readLiveState(netns === undefined ? {} : { netns });
        // Another run may have replaced a device while we waited: judge again under the lock.
        decisions = decideAll(requests, live);
        steps = markerSteps(decisions, opts.generation);
      }
    }
    const otherManagers = await findOtherManagers(
      requests.map((r) => r.name),
      opts.managerDirs,
    );
    let report = new ReportBuilder().build();
    if (steps.length > 0) {
      await preauthorize(steps, netns);
      report = await executeSteps(steps, netns);
      if (report.failed.length > 0) throw backendError('import failed; some devices are marked, some not', { details: reportLines(report) });
      await verifyMarked(netns, decisions);
    }
    const specs = requests.flatMap((r) => (r.spec ? [r.spec] : []));
    return {
      decisions,
      adopted: decisions.filter((d) => d.kind === 'adopt').map((d) => d.name),
      after: planAfterAdoption(netns, specs, live, decisions),
      otherManagers,
      report,
    };
  } finally {
    await lock?.release();
  }
}
