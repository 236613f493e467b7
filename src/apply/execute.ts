/**
 * Runs the steps of a plan phase by phase, each phase in one process or one
 * connection: `ip -batch` for deletes, one helper for tun ioctls, the holder
 * for keepCarrier fds, `ip -batch` for the rest. A failing phase stops the run
 * at its end, so the report can say exactly what ran and what did not.
 */
import { runIpBatch } from './ip-batch.js';
import { runNetlinkPhaseViaHelper } from './netlink-via-helper.js';
import { useSetuidHelper } from './paths.js';
import { runHelperExec, type HelperOp } from './helper-client.js';
import { ensureHolder, holderRequest, holdLine, releaseLine } from './holder-client.js';
import { ReportBuilder, type ApplyReport } from './report.js';
import { PHASE_ORDER, type Phase, type Step } from './steps.js';

type PhaseRunner = (steps: readonly Step[], netns: string | undefined, report: ReportBuilder) => Promise<void>;

async function runNetlinkPhase(steps: readonly Step[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const lines = steps.map((s) => ('line' in s ? s.line : ''));
  const outcome = await runIpBatch(lines, netns);
  steps.slice(0, outcome.succeeded).forEach((s) => report.done(s));
  if (outcome.failure) {
    report.failed(steps[outcome.failure.index]!, outcome.failure.message);
    report.notDone(steps.slice(outcome.failure.index + 1));
  }
}

function toHelperOp(s: Step): HelperOp {
  if (s.phase !== 'tun') throw new Error(`not a tun step: ${s.phase}`);
  const base = { name: s.name, ...s.flags, ...(s.user !== undefined ? { user: s.user } : {}), ...(s.group !== undefined ? { group: s.group } : {}) };
  return s.op === 'create' ? { op: 'create', ...base, ...(s.alias !== undefined ? { alias: s.alias } : {}) } : { op: 'set', ...base };
}

async function runTunPhase(steps: readonly Step[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const results = await runHelperExec(steps.map(toHelperOp), netns !== undefined ? { netns } : {});
  steps.forEach((s, i) => {
    const r = results[i];
    if (r?.ok) report.done(s);
    else report.failed(s, r?.message ?? 'no result from the helper');
  });
}

async function runHolderPhase(steps: readonly Step[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  if (steps.some((s) => s.op === 'hold')) await ensureHolder(netns);
  const lines = steps.map((s) => (s.phase === 'holder' && s.op === 'hold' && s.flags ? holdLine(s.name, s.flags) : releaseLine(s.name)));
  let responses: string[];
  try {
    responses = await holderRequest(netns, lines);
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
 * whose helper is setuid root sends unlink and netlink steps through the
 * helper's rtnetlink ops, authorised by its ACL (docs/SECURITY.md).
 */
function runners(): Readonly<Record<Phase, PhaseRunner>> {
  const netlink = useSetuidHelper() ? runNetlinkPhaseViaHelper : runNetlinkPhase;
  return { unlink: netlink, tun: runTunPhase, holder: runHolderPhase, netlink };
}

export async function executeSteps(steps: readonly Step[], netns: string | undefined): Promise<ApplyReport> {
  const report = new ReportBuilder();
  const RUNNERS = runners();
  for (const [i, phase] of PHASE_ORDER.entries()) {
    const inPhase = steps.filter((s) => s.phase === phase);
    if (inPhase.length === 0) continue;
    try {
      await RUNNERS[phase](inPhase, netns, report);
    } catch (e) {
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
