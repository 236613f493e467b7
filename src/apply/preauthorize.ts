/**
 * Whole-run pre-authorisation for runs that go through the setuid helper:
 * before the first change, every step of the run (tun, unlink, holder and
 * netlink alike) is put to the helper's `check` command, which authorises each
 * op line against the ACL exactly as `exec` and the holder would, as this user
 * and in this namespace, and runs nothing. One denied step refuses the whole
 * run (a permission error, exit 3) listing every denied step with the helper's
 * reason, so a refused apply has changed nothing. docs/SECURITY.md.
 *
 * Root (CAP_NET_ADMIN) runs are not checked: the ACL does not apply to them.
 */
import { runCommand } from '../sys/run-command.js';
import { backendError, permissionError } from '../errors.js';
import { formatOp, HELPER_IDLE_MS } from './helper-client.js';
import { helperOpOf, holderLineOf, holderSetAsHelperOp } from './step-ops.js';
import { requireHelper, netnsArgs, useSetuidHelper } from '../sys/paths.js';
import { describeStep, type Step } from './steps.js';

/** The line the helper's `check` reads for a step: the exec op, or the holder request. */
export function checkLine(s: Step): string {
  if (s.phase !== 'holder') return formatOp(helperOpOf(s));
  return s.op === 'set' ? formatOp(holderSetAsHelperOp(s)) : holderLineOf(s);
}

export interface CheckAnswer {
  readonly allowed: boolean;
  /** Why not, as the helper says it (without its `failed to VERB 'NAME': ` prefix). */
  readonly reason?: string;
}

/** Asks the helper about every line; one answer per line, in order. */
export async function checkLines(lines: readonly string[], netns: string | undefined, idleTimeoutMs = HELPER_IDLE_MS): Promise<CheckAnswer[]> {
  if (lines.length === 0) return [];
  const bin = requireHelper();
  const run = await runCommand(bin, [...netnsArgs(netns), 'check'], { input: lines.join('\n') + '\n', idleTimeoutMs });
  const r = { stdout: run.stdout, stderr: run.stderr, code: run.exitCode, error: run.spawnError };
  const nothing = 'nothing was changed';
  if (r.error) throw backendError(`cannot run the helper ${bin}: ${r.error.message}; ${nothing}`, { cause: r.error });
  if (run.deadline) throw backendError(`the helper gave no answer to the run's check for ${idleTimeoutMs / 1000} s, so tunform stopped it; ${nothing}`, { reason: 'deadline' });
  if (r.code === 2) {
    throw backendError(`the helper ${bin} cannot check a run before changing anything (no 'check' command); ${nothing}`, {
      details: [r.stderr.trim(), 'an administrator can update it with `tunform install-helper`'].filter(Boolean),
    });
  }
  const answers = r.stdout.split('\n').filter((l) => l !== '');
  if (answers.length === 0 && r.code !== 0) {
    // The helper refused to run at all: an unsafe or malformed ACL, or none.
    throw permissionError(`the setuid helper refused the run: ${r.stderr.trim().replace(/^tunform-helper: /, '') || `exit status ${r.code}`}; ${nothing}`);
  }
  if (answers.length !== lines.length) {
    throw backendError(`the helper answered ${answers.length} of ${lines.length} checks; ${nothing}`, {
      details: [...answers, r.stderr.trim()].filter(Boolean),
    });
  }
  return answers.map((a, i) => {
    const allow = /^allow (\S+) (\S+)$/.exec(a);
    if (allow) return { allowed: true };
    const no = /^(?:deny|error) (\S+) (\S+): (.*)$/.exec(a);
    if (!no) throw backendError(`the helper answered ${JSON.stringify(a)} to the check of ${JSON.stringify(lines[i])}; ${nothing}`);
    return { allowed: false, reason: no[3]!.replace(/^failed to [^']*'[^']*': /, '') };
  });
}

/**
 * Refuses the whole run before its first change when any step is not
 * permitted. A no-op unless the run goes through the setuid helper.
 */
export async function preauthorize(steps: readonly Step[], netns: string | undefined): Promise<void> {
  if (steps.length === 0 || !useSetuidHelper()) return;
  const answers = await checkLines(steps.map(checkLine), netns);
  const denied = steps.flatMap((s, i) => (answers[i]!.allowed ? [] : [`not permitted: ${describeStep(s)}: ${answers[i]!.reason}`]));
  if (denied.length === 0) return;
  throw permissionError(
    `${denied.length} of ${steps.length} step(s) are not permitted by the setuid helper's ACL; nothing was changed`,
    [...denied, `uid ${process.getuid?.() ?? '?'}: ask an administrator to delegate these devices in the helper's ACL (docs/helper-acl.md)`],
  );
}
