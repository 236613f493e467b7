/**
 * Client of `tunform-helper exec`: one helper process per batch, every op on
 * its stdin, exactly one result line per op back, in order. Ops that fail are
 * results (ok: false), not exceptions; a helper that crashes or stops early is
 * a backend error naming the ops that got no result.
 */
import { runCommand } from '../sys/run-command.js';
import { backendError, bug } from '../errors.js';
import type { Mode } from '../model.js';
import { requireHelper, netnsArgs } from '../sys/paths.js';
import { splitPeer } from '../net/ip-text.js';

export interface DeviceFlags {
  readonly mode: Mode;
  readonly multiQueue: boolean;
  readonly packetInfo: boolean;
  readonly vnetHeader: boolean;
}

export type HelperOp =
  | (DeviceFlags & {
      readonly op: 'create';
      readonly name: string;
      readonly user?: number;
      readonly group?: number;
      /** Link alias (the managed marker); the helper uses `tunform` when absent. */
      readonly alias?: string;
    })
  | (DeviceFlags & {
      readonly op: 'set';
      readonly name: string;
      /** Absent: left alone. (The kernel cannot clear an owner or group once set: replace instead.) */
      readonly user?: number;
      readonly group?: number;
      /** Makes the device persistent again (it may be attached while it is not). */
      readonly persist?: true;
    })
  | (DeviceFlags & { readonly op: 'delete'; readonly name: string })
  /** rtnetlink ops, for runs that go through the setuid helper instead of `ip -batch`. */
  | { readonly op: 'unlink' | 'up' | 'down'; readonly name: string }
  | { readonly op: 'addr-add' | 'addr-del'; readonly name: string; readonly cidr: string }
  | { readonly op: 'mtu'; readonly name: string; readonly mtu: number }
  | { readonly op: 'alias'; readonly name: string; readonly alias: string };

export interface HelperResult {
  readonly op: HelperOp['op'];
  readonly name: string;
  readonly ok: boolean;
  /** For failures: `failed to <verb> 'NAME': <strerror>` (or a validation message). */
  readonly message?: string;
  /** The raw result line. */
  readonly line: string;
}

/** `-` or a comma list of `mq`, `pi`, `vnet`, as the helper's op lines spell flags. */
export function formatFlags(f: DeviceFlags): string {
  const parts: string[] = [];
  if (f.multiQueue) parts.push('mq');
  if (f.packetInfo) parts.push('pi');
  if (f.vnetHeader) parts.push('vnet');
  return parts.length === 0 ? '-' : parts.join(',');
}

const TOKEN = /^[^\s]+$/;

function token(what: string, value: string): string {
  // Names are validated upstream; this only guards the line protocol.
  if (!TOKEN.test(value)) throw bug(`helper op ${what} ${JSON.stringify(value)} cannot travel as one token`);
  return value;
}

function id(what: string, v: number): string {
  if (!Number.isInteger(v) || v < 0 || v > 4294967294) throw bug(`helper op ${what}=${v} is not a valid id`);
  return String(v);
}

/** The op line the helper reads. */
export function formatOp(op: HelperOp): string {
  switch (op.op) {
    case 'unlink':
    case 'up':
    case 'down':
      return `${op.op} ${token('name', op.name)}`;
    case 'addr-add':
    case 'addr-del': {
      // A point-to-point address travels as the spec spells it: `LOCAL peer PEER/PREFIX`.
      const p = splitPeer(op.cidr);
      const address = p === undefined ? token('address', op.cidr) : `${token('address', p.local)} peer ${token('address', p.peer)}`;
      return `${op.op} ${token('name', op.name)} ${address}`;
    }
    case 'mtu':
      if (!Number.isInteger(op.mtu) || op.mtu < 68 || op.mtu > 65535) throw bug(`helper op mtu=${op.mtu} is out of range`);
      return `mtu ${token('name', op.name)} ${op.mtu}`;
    case 'alias':
      return `alias ${token('name', op.name)} ${token('alias', op.alias)}`;
    default:
      break;
  }
  const words = [op.op, token('name', op.name), op.mode, formatFlags(op)];
  if (op.op !== 'delete') {
    if (op.user !== undefined) words.push(`user=${id('user', op.user)}`);
    if (op.group !== undefined) words.push(`group=${id('group', op.group)}`);
  }
  if (op.op === 'set' && op.persist) words.push('persist=1');
  if (op.op === 'create' && op.alias !== undefined) words.push(`alias=${token('alias', op.alias)}`);
  return words.join(' ');
}

/** Parses one result line; undefined when it is not a result line. */
export function parseResultLine(line: string): { ok: boolean; op: string; name: string; message?: string } | undefined {
  const ok = /^ok (\S+) (\S+)$/.exec(line);
  if (ok) return { ok: true, op: ok[1]!, name: ok[2]! };
  const err = /^error (\S+) (\S+): (.*)$/.exec(line);
  if (err) return { ok: false, op: err[1]!, name: err[2]!, message: err[3]! };
  return undefined;
}

/**
 * How long the helper may go without printing a result before tunform stops
 * it. A result per op streams back, so this bounds one op, not the batch:
 * creating 10,000 devices takes as long as it takes.
 */
export const HELPER_IDLE_MS = 30_000;

export interface RunOptions {
  readonly netns?: string;
  /** Stop the helper after this long without a result (default HELPER_IDLE_MS); the missing results are then reported. */
  readonly idleTimeoutMs?: number;
  /**
   * Called with each op's result as soon as the helper prints it (it flushes
   * per op), so the caller can start dependent work while later ops still run.
   */
  readonly onResult?: (index: number, result: HelperResult) => void;
}

const describeOp = (op: HelperOp): string => `${op.op} ${op.name}`;

/** At most ten items of a list that may hold 10,000, then how many more. */
const firstFew = (items: readonly string[]): string =>
  items.length <= 10 ? items.join(', ') : `${items.slice(0, 10).join(', ')} and ${items.length - 10} more`;

export async function runHelperExec(ops: readonly HelperOp[], opts: RunOptions = {}): Promise<HelperResult[]> {
  if (ops.length === 0) return [];
  const input = ops.map(formatOp).join('\n') + '\n';
  const bin = requireHelper();
  const args = [...netnsArgs(opts.netns), 'exec'];
  const idleMs = opts.idleTimeoutMs ?? HELPER_IDLE_MS;

  let streamed = 0;
  let pending = '';
  const onStdout = (d: string) => {
    if (!opts.onResult) return;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const op = ops[streamed];
      const parsed = line === '' ? undefined : parseResultLine(line);
      // Anything unexpected is judged once the helper has exited (below).
      if (!op || !parsed || parsed.op !== op.op) continue;
      opts.onResult(streamed++, parsed.ok ? { op: op.op, name: op.name, ok: true, line } : { op: op.op, name: op.name, ok: false, message: parsed.message!, line });
    }
  };
  const run = await runCommand(bin, args, { input, idleTimeoutMs: idleMs, onStdout });
  const { stdout, stderr, exitCode: code, signal, spawnError, deadline } = run;

  if (spawnError) {
    throw backendError(`cannot run the helper ${bin}: ${spawnError.message}`, {
      details: ['build it with `make -C helper` or set TUNFORM_HELPER'],
      cause: spawnError,
    });
  }
  if (code === 2) throw bug(`helper rejected its command line: ${stderr.trim()}`);

  const lines = stdout.split('\n').filter((l) => l !== '');
  const results: HelperResult[] = [];
  for (let i = 0; i < lines.length && i < ops.length; i++) {
    const op = ops[i]!;
    const line = lines[i]!;
    const parsed = parseResultLine(line);
    if (!parsed || parsed.op !== op.op) {
      throw backendError(`helper answered ${JSON.stringify(line)} to "${describeOp(op)}"`, {
        details: [`no usable result for: ${ops.slice(i).map(describeOp).join(', ')}`],
      });
    }
    results.push(
      parsed.ok
        ? { op: op.op, name: op.name, ok: true, line }
        : { op: op.op, name: op.name, ok: false, message: parsed.message!, line },
    );
  }
  if (lines.length > ops.length) {
    throw backendError(`helper printed ${lines.length} result lines for ${ops.length} ops`, {
      details: lines.slice(ops.length),
    });
  }
  if (results.length < ops.length) {
    const answered = `after answering ${results.length} of ${ops.length} ops`;
    const what =
      deadline === 'idle'
        ? `the helper gave no result for ${idleMs / 1000} s (${answered}), so tunform stopped it`
        : signal
          ? `the helper was killed by ${signal} (not by tunform) ${answered}`
          : `the helper exited with status ${code} ${answered}`;
    throw backendError(what, {
      ...(deadline === 'idle' ? { reason: 'deadline' as const } : {}),
      details: [
        `no result for: ${firstFew(ops.slice(results.length).map(describeOp))}`,
        ...(results.length ? [`last result: ${results.at(-1)!.line}`] : []),
        ...(stderr.trim() ? [stderr.trim()] : []),
      ],
    });
  }
  return results;
}
