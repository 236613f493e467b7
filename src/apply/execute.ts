/**
 * Runs the steps of a plan as a pipeline of three programs, each started
 * once: one helper for unlinks and tun ioctls, the namespace's holder for
 * keepCarrier fds, one `ip -batch -` for the rest. A device's later steps
 * start as soon as its own earlier ones are done (created, then held, then
 * configured), so creating device 900 overlaps configuring device 1 on
 * another core. A device whose step fails gets no further steps; the others
 * go on, and the report says exactly what ran and what did not.
 */
import { hasReason } from '../errors.js';
import { startIpBatch } from './ip-batch.js';
import { runNetlinkPhaseViaHelper } from './netlink-via-helper.js';
import { useSetuidHelper } from '../sys/paths.js';
import { runHelperExec } from './helper-client.js';
import { ensureHolder } from './holder-start.js';
import { openHolderSession, type HolderSession } from '../sys/holder-session.js';
import { ReportBuilder, type ApplyReport } from './report.js';
import { helperOpOf, holderLineOf, ipBatchLineOf, isHolderStep, isNetlinkStep, isTunStep } from './step-ops.js';
import type { HolderStep, NetlinkStep, Step } from './steps.js';
import type { Progress } from './progress.js';

/** Where netlink steps go: streamed into `ip -batch`, or (setuid path) the helper's rtnetlink ops at the end. */
interface NetlinkSink {
  write(step: NetlinkStep): void;
  finish(report: ReportBuilder): Promise<void>;
}

function ipBatchSink(netns: string | undefined): NetlinkSink {
  const written: NetlinkStep[] = [];
  let batch: ReturnType<typeof startIpBatch> | undefined;
  return {
    write(step) {
      batch ??= startIpBatch(netns);
      written.push(step);
      batch.write(ipBatchLineOf(step));
    },
    async finish(report) {
      if (!batch) return;
      const outcome = await batch.finish();
      written.slice(0, outcome.succeeded).forEach((s) => report.done(s));
      if (outcome.failure) {
        report.failed(written[outcome.failure.index]!, outcome.failure.message);
        report.notDone(written.slice(outcome.failure.index + 1));
      }
    },
  };
}

/** Unprivileged runs: the setuid helper's rtnetlink ops, authorised by its ACL (docs/SECURITY.md). */
function setuidHelperSink(netns: string | undefined): NetlinkSink {
  const queued: NetlinkStep[] = [];
  return {
    write: (step) => void queued.push(step),
    finish: (report) => (queued.length > 0 ? runNetlinkPhaseViaHelper(queued, netns, report) : Promise.resolve()),
  };
}

const groupByName = <S extends Step>(steps: readonly S[]): Map<string, S[]> => {
  const by = new Map<string, S[]>();
  for (const s of steps) by.set(s.name, [...(by.get(s.name) ?? []), s]);
  return by;
};

export async function executeSteps(steps: readonly Step[], netns: string | undefined, progress?: Progress): Promise<ApplyReport> {
  progress?.phase('changing', steps.length);
  const report = new ReportBuilder(progress && (() => progress.step()));
  const tunSteps = steps.filter(isTunStep);
  const holderSteps = steps.filter(isHolderStep);
  // Per device, what the holder does before the device is configured: hold it, or change it through its fd.
  const holds = groupByName(holderSteps.filter((s) => s.op !== 'release'));
  // Releases go last: a holder left empty by a release exits, and a later hold would find no one.
  const releases = holderSteps.filter((s) => s.op === 'release');
  const netlinkWaiting = groupByName(steps.filter(isNetlinkStep));
  const tunLeft = new Map<string, number>();
  for (const s of tunSteps) tunLeft.set(s.name, (tunLeft.get(s.name) ?? 0) + 1);

  // A device that could not be held must not be created: reach the holder first (a stopped or broken one fails the run here).
  // The session stays open for the whole run: a holder with a client never exits under it.
  let session: HolderSession | undefined;
  if (holderSteps.some((s) => s.op === 'hold')) {
    const holder = await ensureHolder(netns);
    if (holder.systemdFailed) report.warn(`the holder runs outside its systemd unit (no supervision, no fd store across restarts): ${holder.systemdFailed}`);
    session = openHolderSession(netns);
  }
  const sink = useSetuidHelper() ? setuidHelperSink(netns) : ipBatchSink(netns);
  const inFlight: Promise<void>[] = [];

  const configure = (name: string) => {
    for (const s of netlinkWaiting.get(name) ?? []) sink.write(s);
    netlinkWaiting.delete(name);
  };
  const hold = async (name: string, work: readonly HolderStep[]) => {
    holds.delete(name);
    for (const [i, step] of work.entries()) {
      let failure: string | undefined;
      try {
        session ??= openHolderSession(netns);
        const answer = await session.send(holderLineOf(step));
        if (!answer.startsWith('ok ')) failure = answer.replace(/^error \S+ \S+: /, '') || 'no response from the holder';
      } catch (e) {
        failure = e instanceof Error ? e.message : String(e);
      }
      if (failure !== undefined) {
        report.failed(step, failure);
        report.notDone(work.slice(i + 1));
        return;
      }
      report.done(step);
    }
    configure(name);
  };
  // A device is held (and its queue detached) before its link goes up, as networkd does.
  const created = (name: string) => {
    const work = holds.get(name);
    if (work) inFlight.push(hold(name, work));
    else configure(name);
  };

  const ready = [...new Set([...holds.keys(), ...netlinkWaiting.keys()])].filter((n) => !tunLeft.has(n));
  ready.forEach(created);

  if (tunSteps.length > 0) {
    const answered = new Set<number>();
    try {
      await runHelperExec(tunSteps.map(helperOpOf), {
        ...(netns !== undefined ? { netns } : {}),
        onResult: (i, r) => {
          answered.add(i);
          const step = tunSteps[i]!;
          if (!r.ok) {
            report.failed(step, r.message ?? 'failed');
            tunLeft.delete(step.name); // its later steps never start
            return;
          }
          report.done(step);
          const left = (tunLeft.get(step.name) ?? 0) - 1;
          if (left > 0) tunLeft.set(step.name, left);
          else if (tunLeft.delete(step.name)) created(step.name);
        },
      });
    } catch (e) {
      // The helper died or garbled its output: the ops it did not answer may or may not have run.
      const unanswered = tunSteps.filter((_, i) => !answered.has(i));
      if (unanswered.length > 0) {
        report.failed(unanswered[0]!, e instanceof Error ? e.message : String(e));
        report.notDone(unanswered.slice(1));
      } else {
        throw e;
      }
    }
  }
  await Promise.all(inFlight);

  if (releases.length > 0) {
    try {
      session ??= openHolderSession(netns);
      const answers = await Promise.all(releases.map((s) => session!.send(holderLineOf(s))));
      releases.forEach((s, i) => (answers[i]!.startsWith('ok ') ? report.done(s) : report.failed(s, answers[i]!.replace(/^error \S+ \S+: /, ''))));
    } catch (e) {
      // Releasing from a holder that is already gone leaves nothing held: that is the goal.
      if (hasReason(e, 'no-holder')) releases.forEach((s) => report.done(s));
      else {
        report.failed(releases[0]!, e instanceof Error ? e.message : String(e));
        report.notDone(releases.slice(1));
      }
    }
  }
  session?.close();
  await sink.finish(report);

  // Steps of devices whose earlier step failed never started.
  report.notDone([...holds.values()].flat());
  report.notDone([...netlinkWaiting.values()].flat());
  return report.build();
}
