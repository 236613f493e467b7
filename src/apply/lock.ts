/**
 * The apply lock: `tunform-helper [--netns NS] lock` holds flock(LOCK_EX) on
 * /run/tunform/.../apply.lock while its stdin is open. Closing stdin (release,
 * or this process dying, SIGKILL included) drops the lock; the kernel drops it
 * if the helper dies. No stale lock files, no pid files.
 */
import { spawn } from 'node:child_process';
import { backendError } from '../errors.js';
import { applyLockPath, requireHelper, netnsArgs } from '../sys/paths.js';

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
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let locked = false;
    let failed = false;
    const exited = new Promise<void>((res) => child.on('close', () => res()));
    const waitTimer = opts.onWait ? setTimeout(() => !locked && opts.onWait?.(), 200) : undefined;
    const timeout =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => fail(backendError(`timed out waiting for the lock ${path}`)), opts.timeoutMs);

    function fail(e: Error): void {
      if (locked || failed) return;
      failed = true;
      clearTimeout(waitTimer);
      clearTimeout(timeout);
      child.kill('SIGKILL');
      reject(e);
    }

    child.stdin.on('error', () => {
      /* the helper died: handled by close */
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => fail(backendError(`cannot run the helper ${bin}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      if (!locked) fail(backendError(`cannot take the lock ${path}`, { details: [err.trim() || `helper exited with status ${code}`] }));
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!locked && !failed && out.split('\n').includes('locked')) {
        locked = true;
        clearTimeout(waitTimer);
        clearTimeout(timeout);
        let released: Promise<void> | undefined;
        resolve({
          release() {
            released ??= (async () => {
              child.stdin.end();
              await exited;
            })();
            return released;
          },
        });
      }
    });
  });
}
