/**
 * The single source of tunform's error kinds. Every failure that reaches a
 * user is a TunformError of one kind, and every kind maps to one exit code, so
 * scripts can tell "your file is wrong" from "the kernel said no".
 */

export type ErrorKind = 'invalid' | 'permission' | 'backend' | 'verification' | 'bug';

/**
 * Finer causes within a kind that control flow must tell apart (a release to
 * a holder that is gone is done, not failed). Code checks these, never the
 * message text.
 */
export type ErrorReason = 'no-holder' | 'deadline' | `ssh-${SshFailure}`;

/** Why ssh could not run the remote command (src/sys/ssh.ts classifies ssh's stderr, its only word on it, into these). */
export type SshFailure = 'host-key-unknown' | 'host-key-changed' | 'auth' | 'connect';

/** Exit codes per kind. 2 is reserved for "drift found" (drift, plan --detailed-exitcode). */
export const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  invalid: 1,
  permission: 3,
  backend: 4,
  verification: 5,
  bug: 70,
};

export const EXIT_OK = 0;
export const EXIT_DRIFT = 2;

/** One problem found in user input, located as precisely as we can. */
export interface Problem {
  /** File the value came from, when it came from a file. */
  readonly file?: string;
  /** 1-based line in that file. */
  readonly line?: number;
  /** 1-based column in that file. */
  readonly column?: number;
  /** Key path such as `devices[0].mtu`, or a construct path. */
  readonly path?: string;
  /** Full sentence: quotes the key, shows the value and says what is allowed. */
  readonly message: string;
}

export class TunformError extends Error {
  readonly kind: ErrorKind;
  /** Individual problems, for invalid input that collected several. */
  readonly problems: readonly Problem[];
  /** Extra lines for the user: what was done, what was not, what to try. */
  readonly details: readonly string[];
  readonly reason?: ErrorReason;

  constructor(
    kind: ErrorKind,
    message: string,
    opts: { problems?: readonly Problem[]; details?: readonly string[]; cause?: unknown; reason?: ErrorReason } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TunformError';
    this.kind = kind;
    this.problems = opts.problems ?? [];
    this.details = opts.details ?? [];
    if (opts.reason !== undefined) this.reason = opts.reason;
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

export const invalidInput = (message: string, problems: readonly Problem[] = [], details: readonly string[] = []) =>
  new TunformError('invalid', message, { problems, details });
export const permissionError = (message: string, details: readonly string[] = []) =>
  new TunformError('permission', message, { details });
export const backendError = (message: string, opts: { details?: readonly string[]; cause?: unknown; reason?: ErrorReason } = {}) =>
  new TunformError('backend', message, opts);

/** Whether e is a TunformError for this reason. */
export const hasReason = (e: unknown, reason: ErrorReason): boolean => e instanceof TunformError && e.reason === reason;
export const verificationError = (message: string, details: readonly string[] = []) =>
  new TunformError('verification', message, { details });
export const bug = (message: string, cause?: unknown) => new TunformError('bug', message, { cause });

/** Renders a problem as `file:line:column: path: message`, leaving out what is unknown. */
export function formatProblem(p: Problem): string {
  let where = '';
  if (p.file) {
    where = p.file;
    if (p.line !== undefined) where += `:${p.line}`;
    if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
    where += ': ';
  }
  if (p.path) where += `${p.path}: `;
  return `${where}${p.message}`;
}

/** Wraps anything thrown into a TunformError; unknown throwables are bugs. */
export function asTunformError(e: unknown): TunformError {
  if (e instanceof TunformError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return bug(`internal error: ${message}`, e);
}
