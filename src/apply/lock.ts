/**
 * The apply lock: `tunform-helper [--netns NS] lock` holds flock(LOCK_EX) on
 * /run/tunform/.../apply.lock while its stdin is open. Closing stdin (release,
 * or this process dying, SIGKILL included) drops the lock; the kernel drops it
 * if the helper dies. No stale lock files, no pid files.
 */
import { backendError, permissionError } from '../errors.js';
import { applyLockPath, HELPER_EXIT_DENIED, requireHelper, netnsArgs } from '../sys/paths.js';
import { startCommand, type RunningCommand } from '../sys/run-command.js';

export interface Lock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Override the lock file (tests); default /run/tunform/netns/NAME/apply.lock, or /run/tunform/self-DEV-INO/apply.lock for the namespace this process is in. */
  readonly path?: string;
  /** Called once if another run holds the lock (the helper says `waiting` before it blocks). */
  readonly onWait?: () => void;
}

/** The lock taken once (a CLI run): a LockSession whose release ends the helper. */
export async function acquireLock(netns?: string, opts: LockOptions = {}): Promise<Lock> {
  const session = new LockSession(netns, opts.path, opts.onWait);
  await session.acquire();
  return { release: () => session.close() };
}

/**
 * The lock taken and released many times by one process: the Terraform
 * provider runs one apply batch after another, and a `tunform-helper lock`
 * started per batch cost 80–240 ms of a loaded machine's time each. One helper
 * serves the session: it takes the lock when it starts, and answers the lines
 * `unlock` and `lock` (helper/src/lock.c). Between batches the lock is free,
 * so a CLI apply or another Terraform run goes in between, as before.
 *
 * If the helper dies, the kernel drops the lock; the next acquire starts a
 * new helper. close() (or this process exiting) ends it.
 */
export class LockSession {
  private helper: { cmd: RunningCommand; answers: string[]; waiting: ((line: string | Error) => void)[] } | undefined;
  /** The lock handed out and not yet released: the next acquire waits for it. */
  private held: Promise<void> = Promise.resolve();

  /** `path` overrides the lock file (tests) and `onWait` is told when another run holds it, as in LockOptions. */
  constructor(
    private readonly netns: string | undefined,
    private readonly path?: string,
    private readonly onWait?: () => void,
  ) {}

  acquire(): Promise<Lock> {
    const previous = this.held;
    let done!: () => void;
    this.held = new Promise<void>((r) => (done = r));
    return (async () => {
      await previous;
      try {
        await this.take();
      } catch (e) {
        done();
        throw e;
      }
      let released: Promise<void> | undefined;
      return {
        release: () =>
          (released ??= this.command('unlock', 'unlocked')
            // A helper that died has dropped the lock with it.
            .catch(() => undefined)
            .finally(done)),
      };
    })();
  }

  /** Ends the helper (releasing the lock if held). */
  async close(): Promise<void> {
    const h = this.helper;
    this.helper = undefined;
    if (!h) return;
    // Keep this process alive until the helper has exited (it is unref'd while idle).
    h.cmd.waiting(true);
    h.cmd.end();
    await h.cmd.result;
  }

  private async take(): Promise<void> {
    if (this.helper) {
      try {
        return await this.command('lock', 'locked');
      } catch (e) {
        // The helper ended since the last batch (killed, say): one new one, whose own failure is the answer.
        if (this.helper) throw e;
      }
    }
    return this.expect(this.start(), 'locked');
  }

  private async command(line: string, answer: string): Promise<void> {
    const h = this.helper;
    if (!h) throw backendError(`the lock helper is not running`);
    const reply = this.next(h);
    h.cmd.write(`${line}\n`);
    return this.expect(reply, answer);
  }

  private async expect(reply: Promise<string>, answer: string): Promise<void> {
    const got = await reply;
    if (got !== answer) throw backendError(`the lock helper answered '${got}', expected '${answer}'`);
  }

  private next(h: NonNullable<LockSession['helper']>): Promise<string> {
    const ready = h.answers.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    h.cmd.waiting(true);
    return new Promise((resolve, reject) =>
      h.waiting.push((l) => {
        if (h.waiting.length === 0) h.cmd.waiting(false);
        if (l instanceof Error) reject(l);
        else resolve(l);
      }),
    );
  }

  /** Starts the helper (which takes the lock at once); resolves with its first answer. */
  private start(): Promise<string> {
    const bin = requireHelper();
    const onWait = this.onWait;
    let partial = '';
    const h: NonNullable<LockSession['helper']> = {
      answers: [],
      waiting: [],
      cmd: startCommand(bin, this.path !== undefined ? ['lock', this.path] : [...netnsArgs(this.netns), 'lock'], {
        serving: true,
        onStdout(d) {
          partial += d;
          const lines = partial.split('\n');
          partial = lines.pop()!;
          // `waiting` (another run holds the lock) is news for the user, not an answer.
          for (const l of lines) {
            if (l === 'waiting') {
              onWait?.();
              continue;
            }
            const w = h.waiting.shift();
            if (w) w(l);
            else h.answers.push(l);
          }
        },
      }),
    };
    this.helper = h;
    const first = this.next(h);
    void h.cmd.result.then(({ exitCode, stderr, spawnError }) => {
      if (this.helper === h) this.helper = undefined;
      const lockFile = this.path ?? applyLockPath(this.netns);
      const details = [stderr.trim() || `helper exited with status ${exitCode}`];
      // The helper's ACL refused this user the namespace: a permission problem (exit 3), not a broken backend.
      const why = spawnError
        ? backendError(`cannot run the helper ${bin}: ${spawnError.message}`, { cause: spawnError })
        : exitCode === HELPER_EXIT_DENIED
          ? permissionError(`not allowed to take the lock ${lockFile}`, details)
          : backendError(`cannot take the lock ${lockFile}`, { details });
      for (const w of h.waiting.splice(0)) w(why);
    });
    return first;
  }
}
