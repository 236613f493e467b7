/**
 * The unlink and netlink phases through the setuid helper's rtnetlink ops
 * (`unlink`, `addr-add`, `addr-del`, `mtu`, `up`, `down`, `alias`) instead of
 * `ip -batch`, for a process without CAP_NET_ADMIN (docs/SECURITY.md). Root
 * keeps `ip -batch`: one process either way, but iproute2 is the fast path.
 *
 * Unlike `ip -batch`, the helper runs every op and answers each; a failed op
 * is reported as failed and the others as done, so the report stays exact.
 */
import { bug } from '../errors.js';
import { runHelperExec, type HelperOp } from './helper-client.js';
import type { ReportBuilder } from './report.js';
import type { Step } from './steps.js';

/** The words of a step's `ip -batch` line (steps.ts builds them from validated names and canonical values). */
function lastWord(line: string): string {
  const w = line.trim().split(/\s+/);
  return w[w.length - 1]!;
}

/** The helper op doing what the step's `ip -batch` line does. */
export function stepToHelperOp(s: Step): HelperOp {
  if (s.phase === 'unlink') return { op: 'unlink', name: s.name };
  if (s.phase !== 'netlink') throw bug(`not a netlink step: ${s.phase} ${s.op} ${s.name}`);
  switch (s.op) {
    case 'up':
    case 'down':
      return { op: s.op, name: s.name };
    case 'mtu': {
      const mtu = Number(lastWord(s.line));
      if (!Number.isInteger(mtu)) throw bug(`mtu step without a number: ${JSON.stringify(s.line)}`);
      return { op: 'mtu', name: s.name, mtu };
    }
    case 'alias':
      return { op: 'alias', name: s.name, alias: lastWord(s.line) };
    case 'address-add':
    case 'address-del': {
      // `address add CIDR dev NAME`
      const m = /^address (?:add|del) (\S+) dev (\S+)$/.exec(s.line.trim());
      if (!m || m[2] !== s.name) throw bug(`address step with an unexpected line: ${JSON.stringify(s.line)}`);
      return { op: s.op === 'address-add' ? 'addr-add' : 'addr-del', name: s.name, cidr: m[1]! };
    }
  }
}

/** Same contract as the `ip -batch` runner in execute.ts: every step ends up done, failed or not done. */
export async function runNetlinkPhaseViaHelper(steps: readonly Step[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const results = await runHelperExec(steps.map(stepToHelperOp), netns !== undefined ? { netns } : {});
  steps.forEach((s, i) => {
    const r = results[i];
    if (r?.ok) report.done(s);
    else report.failed(s, r?.message ?? 'no result from the helper');
  });
}
