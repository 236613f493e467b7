import { formatProblem, type TunformError } from '../errors.js';
import type { Io } from './io.js';

const KIND_LABEL: Record<TunformError['kind'], string> = {
  invalid: 'invalid input',
  permission: 'permission denied',
  backend: 'system error',
  verification: 'verification failed',
  bug: 'internal error (a bug in tunform; please report it)',
};

/** Prints an error the way every command does: a headline, each problem, then details. */
export function reportError(e: TunformError, io: Io): void {
  io.err(`tunform: ${KIND_LABEL[e.kind]}: ${e.message}\n`);
  for (const p of e.problems) io.err(`  ${formatProblem(p)}\n`);
  for (const d of e.details) io.err(`  ${d}\n`);
  if (e.kind === 'bug' && e.cause instanceof Error && e.cause.stack) io.err(`${e.cause.stack}\n`);
}

/**
 * Reports a failed command and returns its exit code. With --json the error
 * is one JSON document on stdout and nothing else is printed, so a caller
 * that parses stdout always gets JSON, success or not.
 */
export function reportFailure(e: TunformError, io: Io, json: boolean | undefined, exitCode = e.exitCode): number {
  if (json) io.out(errorJson(e, exitCode));
  else reportError(e, io);
  return exitCode;
}

/** The error as a JSON document (docs/plan-json.md, "Error document"). */
export function errorJson(e: TunformError, exitCode = e.exitCode): string {
  return (
    JSON.stringify(
      {
        formatVersion: 1,
        error: { kind: e.kind, exitCode, message: e.message, problems: e.problems, details: e.details },
      },
      null,
      2,
    ) + '\n'
  );
}
