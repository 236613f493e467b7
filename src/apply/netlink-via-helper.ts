/**
 * The netlink phase through the setuid helper's rtnetlink ops (`addr-add`,
 * `addr-del`, `mtu`, `up`, `down`, `alias`) instead of `ip -batch`, for a
 * process without CAP_NET_ADMIN (docs/SECURITY.md). Root keeps `ip -batch`:
 * one process either way, but iproute2 is the fast path.
 *
 * Unlike `ip -batch`, the helper runs every op and answers each; a failed op
 * is reported as failed and the others as done, so the report stays exact.
 */
import { runHelperExec } from './helper-client.js';
import type { ReportBuilder } from './report.js';
import { helperOpOf } from './step-ops.js';
import type { NetlinkStep } from './steps.js';

export async function runNetlinkPhaseViaHelper(steps: readonly NetlinkStep[], netns: string | undefined, report: ReportBuilder): Promise<void> {
  const results = await runHelperExec(steps.map(helperOpOf), netns !== undefined ? { netns } : {});
  steps.forEach((s, i) => {
    const r = results[i];
    if (r?.ok) report.done(s);
    else report.failed(s, r?.message ?? 'no result from the helper');
  });
}
