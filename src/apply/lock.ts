/**
 * The apply lock: `tunform-helper [--netns NS] lock` holds flock(LOCK_EX) on
 * /run/tunform/.../apply.lock while its stdin is open. Closing stdin (release,
 * or this process dying, SIGKILL included) drops the lock; the kernel drops it
 * if the helper dies. No stale lock files, no pid files.
 */
import { backendError } from '../errors.js';
import { applyLockPath, requireHelper, netnsArgs } from '../sys/paths.js';
import { startCommand, type RunningCommand } from '../sys/run-command.js';

/** How long the lock may take before onWait tells the user another apply holds it. */
export const LOCK_WAIT_NOTICE_MS = 200;

export interface Lock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Override the lock file (tests); default /run/tunform/netns/NAME/apply.lock, or /run/tunform/self-DEV-INO/apply.lock for the namespace this process is in. */
  readonly path?: string;
  /** Called once if the lock is not granted at once (another apply runs). */
  readonly onWait?: () => void;
  /** Reject after this long (default: wait for ever). */
  readonly timeoutMs?: number;
}

export function acquireLock(netns?: string, opts: LockOptions = {}): Promise<Lock> {
  const path = opts.path ?? applyLockPath(netns);
  let bin: string;
  try {
    bin = requireHelper();
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    // Without an explicit path the helper computes the namespace's lock file
    // itself: the only form a setuid helper accepts (it opens it as root).
    const args = opts.path !== undefined ? ['lock', opts.path] : [...netnsArgs(netns), 'lock'];
    let out = '';
    let locked = false;
    let failed = false;
    const waitTimer = opts.onWait ? setTimeout(() => !locked && opts.onWait?.(), LOCK_WAIT_NOTICE_MS) : undefined;
    const timeout =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => fail(backendError(`timed out waiting for the lock ${path}`)), opts.timeoutMs);
    const helper: RunningCommand = startCommand(bin, args, {
      onStdout(d) {
        out += d;
        if (locked || failed || !out.split('\n').includes('locked')) return;
        locked = true;
        clearTimeout(waitTimer);
        clearTimeout(timeout);
        let released: Promise<void> | undefined;
        resolve({
          release() {
            released ??= (async () => {
              helper.end();
              await helper.result;
            })();
            return released;
          },
        });
      },
    });

    function fail(e: Error): void {
      if (locked || failed) return;
      failed = true;
      clearTimeout(waitTimer);
      clearTimeout(timeout);
      helper.kill();
      reject(e);
    }

    void helper.result.then(({ exitCode, stderr, spawnError }) => {
      if (spawnError) fail(backendError(`cannot run the helper ${bin}: ${spawnError.message}`, { cause: spawnError }));
      else if (!locked) fail(backendError(`cannot take the lock ${path}`, { details: [stderr.trim() || `helper exited with status ${exitCode}`] }));
    });
  });
}
