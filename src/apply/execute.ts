/**
 * Runs the steps of a plan phase by phase, each phase in one process or one
 * connection: one helper for unlinks and tun ioctls, the holder for
 * keepCarrier fds, one `ip -batch` for the rest. A failing phase stops the
 * run at its end, so the report can say exactly what ran and what did not.
 */
import { runIpBatch } from './ip-batch.js';
import { runNetlinkPhaseViaHelper } from './netlink-via-helper.js';
import { useSetuidHelper } from './paths.js';
import { runHelperExec } from './helper-client.js';
import { ensureHolder, holderRequest } from './holder-client.js';
import { ReportBuilder, type ApplyReport } from './report.js';
import { helperOpOf, holderLineOf, ipBatchLineOf, isHolderStep, isNetlinkStep, isTunStep } from './step-ops.js';
import { PHASE_ORDER, type HolderStep, type NetlinkStep, type Step, type TunStep } from './steps.js';

async function runNetlinkPhase(steps: readonly NetlinkStep[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const outcome = await runIpBatch(steps.map(ipBatchLineOf), netns);
  steps.slice(0, outcome.succeeded).forEach((s) => report.done(s));
  if (outcome.failure) {
    report.failed(steps[outcome.failure.index]!, outcome.failure.message);
    report.notDone(steps.slice(outcome.failure.index + 1));
  }
}

async function runTunPhase(steps: readonly TunStep[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const results = await runHelperExec(steps.map(helperOpOf), netns !== undefined ? { netns } : {});
  steps.forEach((s, i) => {
    const r = results[i];
    if (r?.ok) report.done(s);
    else report.failed(s, r?.message ?? 'no result from the helper');
  });
}

async function runHolderPhase(steps: readonly HolderStep[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  if (steps.some((s) => s.op === 'hold')) await ensureHolder(netns);
  let responses: string[];
  try {
    responses = await holderRequest(netns, steps.map(holderLineOf));
  } catch (e) {
    // Releasing from a holder that is already gone leaves nothing held: that is the goal.
    if (steps.every((s) => s.op === 'release')) {
      steps.forEach((s) => report.done(s));
      return;
    }
    throw e;
  }
  steps.forEach((s, i) => {
    const r = responses[i] ?? '';
    if (r.startsWith('ok ')) report.done(s);
    else report.failed(s, r.replace(/^error \S+ \S+: /, '') || 'no response from the holder');
  });
}

/**
 * Root (CAP_NET_ADMIN) keeps `ip -batch`, the fast path. A process without it
 * whose helper is setuid root sends netlink steps through the helper's
 * rtnetlink ops, authorised by its ACL (docs/SECURITY.md).
 */
function runPhase(steps: readonly Step[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const phase = steps[0]!.phase;
  if (phase === 'tun') return runTunPhase(steps.filter(isTunStep), netns, report);
  if (phase === 'holder') return runHolderPhase(steps.filter(isHolderStep), netns, report);
  const netlink = steps.filter(isNetlinkStep);
  return useSetuidHelper() ? runNetlinkPhaseViaHelper(netlink, netns, report) : runNetlinkPhase(netlink, netns, report);
}

export async function executeSteps(steps: readonly Step[], netns: string | undefined): Promise<ApplyReport> {
  const report = new ReportBuilder();
  for (const [i, phase] of PHASE_ORDER.entries()) {
    const inPhase = steps.filter((s) => s.phase === phase);
    if (inPhase.length === 0) continue;
    try {
      await runPhase(inPhase, netns, report);
    } catch (e) {
      // The phase's program failed as a whole: we cannot tell which of its steps ran.
      report.failed(inPhase[0]!, e instanceof Error ? e.message : String(e));
      report.notDone(inPhase.slice(1));
    }
    if (report.hasFailures) {
      report.notDone(steps.filter((s) => PHASE_ORDER.indexOf(s.phase) > i));
      break;
    }
  }
  return report.build();
}
