/**
 * The one child-process runner. `tunform drift` must cost little more than
 * the `ip` dumps it takes, and loading execa's module graph alone costs
 * more than the dumps; node's spawn is enough here.
 *
 * Deadlines scale with the work: `idleTimeoutMs` stops a program only when it
 * has printed nothing for that long (a helper answering 10,000 ops one by one
 * is never cut off for being slow overall), and the result says when it was
 * tunform that stopped it, so no message blames a signal nobody else sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started (ENOENT: not installed). */
  readonly spawnError?: NodeJS.ErrnoException;
  /** Set when tunform killed the program: its total time ran out, or it went silent for idleTimeoutMs. */
  readonly deadline?: 'total' | 'idle';
}

export interface CommandOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** SIGKILL the program after this long in all. */
  readonly timeoutMs?: number;
  /** SIGKILL the program once it has printed nothing (stdout or stderr) for this long. */
  readonly idleTimeoutMs?: number;
  /** Each stdout chunk as it arrives (it is also collected in the result). */
  readonly onStdout?: (chunk: string) => void;
  /**
   * startCommand only: a long-lived program serving this process (the
   * provider's lock and live reads). It keeps this process alive only while
   * an answer is awaited (RunningCommand.waiting; it ends when its stdin
   * closes, at the latest when this process exits), and its stdout goes to
   * onStdout only, not into the result, which would grow with every answer.
   */
  readonly serving?: boolean;
}

/** A program that keeps running while its caller feeds it (`ip -batch -`, the helper's `lock`). */
export interface RunningCommand {
  /** Writes to the program's stdin; a program that already exited is reported by its result, not here. */
  write(text: string): void;
  /** Closes stdin (the program sees EOF). */
  end(): void;
  /** SIGKILLs the program. */
  kill(): void;
  /**
   * A serving program keeps this process alive only while an answer is
   * awaited: waiting(true) when a request is written, waiting(false) when
   * none is left. Without it, nothing else waiting, node would exit mid-call.
   */
  waiting(on: boolean): void;
  /** Settles once the program has exited and its output is collected. */
  readonly result: Promise<CommandResult>;
}

/**
 * Starts a program with stdin open for streaming. runCommand is this with its
 * whole input written at once.
 */
export function startCommand(file: string, args: readonly string[], opts: Omit<CommandOptions, 'input'> = {}): RunningCommand {
  const child = spawn(file, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
  // EPIPE when the program exits early: its exit status tells the story.
  child.stdin.on('error', () => {});
  if (opts.serving) {
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
  }
  return {
    write: (text) => void child.stdin.write(text),
    end: () => void child.stdin.end(),
    kill: () => void child.kill('SIGKILL'),
    waiting: (on) => {
      if (!opts.serving) return;
      // The pipes too: the result comes with 'close', after stdout and stderr end; with only the child ref'd, a process
      // awaiting a closing helper could run out of ref'd handles between its exit and its pipes' end (Node exits 13).
      for (const h of [child, child.stdin, child.stdout, child.stderr] as const) {
        const handle = h as unknown as { ref?: () => void; unref?: () => void };
        if (on) handle.ref?.();
        else handle.unref?.();
      }
    },
    result: collect(child, opts),
  };
}

export function runCommand(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const child = spawn(file, args, {
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
  if (opts.input !== undefined) {
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input);
  }
  return collect(child, opts);
}

function collect(child: ChildProcess, opts: Omit<CommandOptions, 'input'>): Promise<CommandResult> {
  return new Promise((resolve) => {
    let deadline: CommandResult['deadline'];
    const stop = (why: 'total' | 'idle') => {
      deadline ??= why;
      child.kill('SIGKILL');
    };
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => stop('total'), opts.timeoutMs);
    let idle: NodeJS.Timeout | undefined;
    const heard = () => {
      if (opts.idleTimeoutMs === undefined) return;
      clearTimeout(idle);
      idle = setTimeout(() => stop('idle'), opts.idleTimeoutMs);
    };
    heard();
    const out: string[] = [];
    const err: string[] = [];
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      heard();
      if (!opts.serving) out.push(d);
      opts.onStdout?.(d);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      heard();
      err.push(d);
    });
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(idle);
      resolve({
        exitCode,
        signal,
        stdout: out.join(''),
        stderr: err.join(''),
        ...(spawnError ? { spawnError } : {}),
        ...(deadline ? { deadline } : {}),
      });
    });
  });
}

/**
 * runCommand for a program that prints a lot and reads nothing (ip's dumps):
 * its stdout and stderr go to unlinked temporary files, read once it has
 * exited. A pipe holds 64 KiB, and the program blocks on a full one until
 * this process's event loop reads it: drift validates the spec while its
 * dump runs, so ip stood still for the whole validation and the dump ended
 * after it. Into a file it runs alongside. Where no temporary file can be
 * made, this is runCommand.
 */
export function runCommandToFiles(file: string, args: readonly string[], opts: Pick<CommandOptions, 'env'> = {}): Promise<CommandResult> {
  const out = anonymousFile();
  const err = out === undefined ? undefined : anonymousFile();
  if (out === undefined || err === undefined) {
    if (out !== undefined) closeSync(out);
    return runCommand(file, args, opts);
  }
  return new Promise((resolve) => {
    let spawnError: NodeJS.ErrnoException | undefined;
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        stdio: ['ignore', out, err],
        ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
      });
    } catch (e) {
      closeSync(out);
      closeSync(err);
      throw e;
    }
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.on('close', (exitCode, signal) => {
      const stdout = readAll(out);
      const stderr = readAll(err);
      resolve({ exitCode, signal, stdout, stderr, ...(spawnError ? { spawnError } : {}) });
    });
  });
}

let anonymousFiles = 0;

/** A read-write file no other process can open: created exclusively, private, and unlinked at once. Undefined when none can be made. */
function anonymousFile(): number | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const path = join(tmpdir(), `.tunform-${process.pid}-${Date.now().toString(36)}-${anonymousFiles++}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      return undefined;
    }
    try {
      unlinkSync(path);
    } catch {
      // Its name would outlive this run with the output in it: use a pipe instead.
      closeSync(fd);
      return undefined;
    }
    return fd;
  }
  return undefined;
}

/** The whole file as UTF-8 (as runCommand decodes a pipe), then closed. */
function readAll(fd: number): string {
  try {
    const buf = Buffer.allocUnsafe(fstatSync(fd).size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
}
