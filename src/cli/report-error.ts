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

/** The same error as a JSON document, for --json callers. */
export function errorJson(e: TunformError): string {
  return (
    JSON.stringify(
      {
        formatVersion: 1,
        error: { kind: e.kind, exitCode: e.exitCode, message: e.message, problems: e.problems, details: e.details },
      },
      null,
      2,
    ) + '\n'
  );
}
