/**
 * One long-running `tunform serve --stdio` on a host, over the transport's
 * shared SSH connection: the provider's calls to a host go through it, so a
 * Terraform run starts Node on the host once per provider process instead of
 * once per call (on a loaded host that start was most of a call's time).
 *
 * Each call is one request line and is answered with the exit code, stdout
 * and stderr that `tunform ARGS` run as its own process would give (the
 * serve side runs the same CLI entry point, src/cli/commands/serve.ts).
 *
 * - Calls may overlap; answers are matched by id.
 * - The session starts on first use. If it ends (the connection or the
 *   remote process died), the calls in flight fail naming the host and the
 *   next call starts a new session; a call is never sent twice, since an
 *   apply may have partly run.
 * - The greeting names the remote version, which is checked as `tunform
 *   --version` would be (an incompatible host fails the call, nothing run).
 * - A remote tunform without `serve` (it ends before its greeting with
 *   anything but ssh's 255) is used one process per call, as before, its
 *   version asked with `--version`.
 * - While no call is waiting, the session does not keep this process alive;
 *   when this process exits, ssh sees the end of its stdin and the remote
 *   serve exits after what it is running.
 */
import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { backendError, type TunformError } from '../errors.js';
import { SSH_FAILED, type ExecResult, type SshTransport } from './ssh.js';

/** The first line `tunform serve --stdio` prints: this protocol, and its version. */
export const SERVE_PROTOCOL = 1;
export const SERVE_ARGS = ['serve', '--stdio'] as const;

export interface ServeRequest {
  readonly id: number;
  readonly args: readonly string[];
  readonly input?: string;
}

export interface ServeAnswer extends ExecResult {
  readonly id: number;
}

export interface ServeGreeting {
  readonly tunformServe: number;
  readonly version: string;
}

interface Waiting {
  readonly command: string;
  readonly resolve: (r: ExecResult) => void;
  readonly reject: (e: TunformError) => void;
}

/** What ssh said last, for the error when the session ends. */
const STDERR_TAIL_CHARS = 4096;

class Session {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private stdoutText = '';
  private stderrTail = '';
  private greeted = false;
  private ended = false;
  /** Resolves true once greeted, false if the remote has no serve; rejects when ssh fails first. */
  readonly ready: Promise<boolean>;

  constructor(
    private readonly transport: SshTransport,
    private readonly child: ChildProcess,
    private readonly onEnd: () => void,
  ) {
    let greet!: (ok: boolean) => void;
    let fail!: (e: TunformError) => void;
    this.ready = new Promise<boolean>((res, rej) => {
      greet = res;
      fail = rej;
    });
    // Every caller awaits it; this only keeps an early failure from counting as unhandled.
    this.ready.catch(() => {});
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    child.stdout!.on('data', (d: Buffer) => this.onStdout(out.write(d), greet, fail));
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + err.write(d)).slice(-STDERR_TAIL_CHARS)));
    child.stdin!.on('error', () => {
      /* the close handler reports it */
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.on('close', (code) => {
      this.ended = true;
      this.onEnd();
      const sshFailed = spawnError !== undefined || code === SSH_FAILED;
      const error = spawnError ? transport.spawnFailure(spawnError) : code === SSH_FAILED ? transport.failure(this.stderrTail) : undefined;
      if (!this.greeted) {
        if (sshFailed) fail(error!);
        else greet(false);
      }
      for (const [, w] of this.waiting) {
        w.reject(
          error ??
            backendError(`lost the tunform session on ${transport.name} (it ended with exit ${code ?? 'by a signal'}) while 'tunform ${w.command}' ran; it may have partly run`, {
              details: this.stderrTail.trim().split('\n').filter(Boolean),
            }),
        );
      }
      this.waiting.clear();
    });
    this.hold(true);
  }

  private onStdout(text: string, greet: (ok: boolean) => void, fail: (e: TunformError) => void): void {
    this.stdoutText += text;
    let nl: number;
    while ((nl = this.stdoutText.indexOf('\n')) >= 0) {
      const line = this.stdoutText.slice(0, nl);
      this.stdoutText = this.stdoutText.slice(nl + 1);
      if (!this.greeted) {
        this.greeted = true;
        const g = parse<ServeGreeting>(line);
        // Anything else is not a serve that speaks this protocol: call one process per command.
        if (g?.tunformServe !== SERVE_PROTOCOL) {
          greet(false);
          this.close();
        } else {
          // The greeting's version is the version check: no separate `tunform --version` on the host.
          try {
            this.transport.acceptVersion(g.version);
            greet(true);
          } catch (e) {
            fail(e as TunformError);
            this.close();
          }
        }
        this.hold(this.waiting.size > 0);
        continue;
      }
      const a = parse<ServeAnswer>(line);
      const w = a === undefined ? undefined : this.waiting.get(a.id);
      if (a === undefined || w === undefined) continue;
      this.waiting.delete(a.id);
      this.hold(this.waiting.size > 0);
      w.resolve({ code: a.code, stdout: a.stdout, stderr: a.stderr });
    }
  }

  /** Keeps this process alive only while something waits on the session. */
  private hold(on: boolean): void {
    for (const h of [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as const) {
      const handle = h as { ref?: () => void; unref?: () => void } | null;
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  get alive(): boolean {
    return !this.ended;
  }

  send(args: readonly string[], input: string | undefined): Promise<ExecResult> {
    if (this.ended) return Promise.reject(backendError(`lost the tunform session on ${this.transport.name} before 'tunform ${args[0] ?? ''}' was sent; nothing was run`));
    const id = this.nextId++;
    const request: ServeRequest = { id, args, ...(input !== undefined ? { input } : {}) };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { command: args[0] ?? '', resolve, reject });
      this.hold(true);
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Ends the remote serve's stdin: it finishes what it runs, then exits. */
  close(): void {
    this.child.stdin!.end();
  }
}

function parse<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}

export class SshSession {
  private session: Session | undefined;
  /** The remote tunform has no `serve`: one process per call. */
  private perCall = false;

  constructor(readonly transport: SshTransport) {}

  /** `tunform ARGS` on the host: its exit code, stdout and stderr. An ssh failure throws, naming the host. */
  async run(args: readonly string[], input?: string): Promise<ExecResult> {
    // The session's greeting checks the version; a host without serve is checked by transport.run.
    const session = this.perCall ? undefined : await this.open();
    if (session === undefined) return this.transport.run(args, input === undefined ? {} : { input });
    return session.send(args, input);
  }

  /** The live session (started if there is none); undefined when the host has no serve. */
  private async open(): Promise<Session | undefined> {
    // A session that ended after its greeting ran nothing of ours: one more start is safe.
    for (let attempt = 1; ; attempt++) {
      if (this.session?.alive !== true) {
        const child = this.transport.spawnRemote(SERVE_ARGS, true);
        const started: Session = new Session(this.transport, child, () => {
          if (this.session === started) this.session = undefined;
        });
        this.session = started;
      }
      const s = this.session;
      if (!(await s.ready)) {
        this.perCall = true;
        return undefined;
      }
      if (s.alive || attempt === 2) return s;
    }
  }

  /** Lets the remote serve finish and exit. */
  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
