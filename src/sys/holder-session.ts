/**
 * A connection to the per-namespace holder (see docs/DESIGN.md, "Helper"):
 * `holderRequest` sends pipelined request lines over its unix socket and
 * returns one response line per request. Starting the holder, and the lines
 * that change what it holds, belong to src/apply (holder-start.ts); the live
 * reader only asks (`ping`, `list`).
 */
import { createConnection } from 'node:net';
import { backendError, hasReason } from '../errors.js';
import { holderSocketPath } from './paths.js';

/**
 * How long the holder may leave a request unanswered before the session gives
 * up. Only silence counts: a holder answering 10,000 holds one by one (each
 * queue detach waits for an RCU grace period) is never cut off for being busy.
 */
export const HOLDER_IDLE_MS = 30_000;

export interface HolderRequestOptions {
  /** Give up when requests wait and no answer came for this long (default HOLDER_IDLE_MS). */
  readonly idleTimeoutMs?: number;
  /** Another holder's socket than the namespace's (one found under the run directory). */
  readonly socketPath?: string;
}

export interface HolderSession {
  /** Sends one request; resolves with its response line (`ok ...` or `error ...`). */
  send(line: string): Promise<string>;
  /** Ends the connection once every request sent has its answer. */
  close(): void;
}

/**
 * One connection to the holder, requests pipelined as they come: the holder
 * answers in order, one line per request. A missing holder or a connection
 * that ends early rejects every unanswered request with a backend error.
 */
export function openHolderSession(netns: string | undefined, opts: HolderRequestOptions = {}): HolderSession {
  const path = opts.socketPath ?? holderSocketPath(netns);
  const sock = createConnection({ path });
  const waiting: { line: string; resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  let buf = '';
  let failure: Error | undefined;
  let closing = false;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.splice(0)) w.reject(failure);
    sock.destroy();
  };
  const firstFew = (items: readonly string[]) => (items.length <= 10 ? items.join('; ') : `${items.slice(0, 10).join('; ')} and ${items.length - 10} more`);
  const unanswered = () => `no response to: ${firstFew(waiting.map((w) => w.line))}`;
  const idleMs = opts.idleTimeoutMs ?? HOLDER_IDLE_MS;
  let answers = 0;
  let timer: NodeJS.Timeout | undefined;
  // Armed only while a request waits; every answer starts it again.
  const rearm = () => {
    clearTimeout(timer);
    timer =
      waiting.length === 0
        ? undefined
        : setTimeout(
            () =>
              fail(
                backendError(`the holder at ${path} gave no answer for ${idleMs / 1000} s while ${waiting.length} request(s) waited (${answers} answered before)`, {
                  details: [unanswered(), 'a stopped or stuck holder: see its state with `ps -o pid,stat,comm -C tunform-holder`'],
                  reason: 'deadline',
                }),
              ),
            idleMs,
          );
  };
  const settleIfDone = () => {
    if (closing && waiting.length === 0) {
      clearTimeout(timer);
      sock.end();
    }
  };
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      waiting.shift()?.resolve(line);
      answers++;
    }
    rearm();
    settleIfDone();
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    const none = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
    fail(
      none
        ? backendError(`no holder is running at ${path}`, { details: [unanswered()], cause: e, reason: 'no-holder' })
        : backendError(`holder connection failed: ${e.message}`, { details: [unanswered()], cause: e }),
    );
  });
  sock.on('close', () => {
    clearTimeout(timer);
    if (waiting.length > 0) fail(backendError(`holder at ${path} closed the connection early`, { details: [unanswered()] }));
  });
  return {
    send(line) {
      if (line.includes('\n') || line.trim() === '') return Promise.reject(backendError(`invalid holder request ${JSON.stringify(line)}`));
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ line, resolve, reject });
        if (waiting.length === 1) rearm();
        sock.write(line + '\n');
      });
    },
    close() {
      closing = true;
      settleIfDone();
    },
  };
}

/**
 * Sends every line at once (pipelined) and resolves with exactly one response
 * line per request, in order. Failed requests are `error ...` lines, not
 * exceptions; a missing holder or a connection that ends early is a backend error.
 */
export async function holderRequest(netns: string | undefined, lines: readonly string[], opts: HolderRequestOptions = {}): Promise<string[]> {
  if (lines.length === 0) return [];
  const session = openHolderSession(netns, opts);
  try {
    return await Promise.all(lines.map((l) => session.send(l)));
  } finally {
    session.close();
  }
}

/** Names of the devices the holder holds with a still-attached fd; [] when no holder runs. */
export async function holderList(netns?: string): Promise<string[]> {
  let res: string[];
  try {
    res = await holderRequest(netns, ['list']);
  } catch (e) {
    if (hasReason(e, 'no-holder')) return [];
    throw e;
  }
  const line = res[0] ?? '';
  if (!line.startsWith('ok list')) throw backendError(`holder answered ${JSON.stringify(line)} to list`);
  return line.slice('ok list'.length).split(' ').filter(Boolean);
}
