/**
 * A minimal child-process runner for the hot path. `tunform drift` must cost
 * little more than the two `ip` dumps it takes, and loading execa's module
 * graph alone costs more than the dumps; node's spawn is enough here.
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started (ENOENT: not installed). */
  readonly spawnError?: NodeJS.ErrnoException;
}

export function runCommand(
  file: string,
  args: readonly string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; /** SIGKILL the program after this long. */ timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(spawnError ? { spawnError } : {}),
      });
    });
    if (opts.input !== undefined) {
      // EPIPE when the program exits early: its exit status tells the story.
      child.stdin!.on('error', () => {});
      child.stdin!.end(opts.input);
    }
  });
}
