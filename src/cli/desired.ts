import { formatProblem, invalidInput, type Problem } from '../errors.js';
import type { DesiredState, LiveState } from '../model.js';
import { readLiveState } from '../live/index.js';
import { lockAndRead, oneShotIo } from '../apply/apply.js';
import type { Lock } from '../apply/lock.js';
import { loadSpecFile, parseSpecText } from '../spec/index.js';
import { systemLookup } from '../live/system-lookup.js';
import type { Io } from './io.js';
import { checkNetnsOption } from './netns-option.js';
import { specEnvPart } from '../synth/format.js';

export interface SourceOptions {
  readonly file?: string;
  readonly synth?: string;
  /** Name of an environment variable holding the spec document (how cdktf provisioners pass it). */
  readonly specEnv?: string;
  /** Internal (how `--host` passes the spec): read a spec document from stdin; the value names it in messages. */
  readonly specStdin?: string;
  /** Internal (how `--host` passes a stack): read a cdk.tf.json from stdin; the value names it in messages. */
  readonly synthStdin?: string;
  /** Internal: what messages call the stdin source (`--host` sends the local `--synth DIR` as its stack file). */
  readonly sourceLabel?: string;
  readonly netns?: string;
}

/** Every spec source option, for the one-of check and for `--host`, which replaces them by stdin. */
export const SOURCE_KEYS = ['file', 'synth', 'specEnv', 'specStdin', 'synthStdin'] as const satisfies readonly (keyof SourceOptions)[];

/** Throws unless exactly one spec source is given. */
export function checkOneSource(opts: SourceOptions): void {
  const given = SOURCE_KEYS.filter((k) => opts[k] !== undefined).length;
  if (given > 1) throw invalidInput("give only one of '--file', '--synth' and '--spec-env'");
  if (given === 0) {
    throw invalidInput("a spec is required: '-f FILE' (YAML), '--synth DIR' (synthesized cdktf stack) or '--spec-env VAR'");
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface LoadedDesired {
  readonly desired: DesiredState;
  readonly warnings: readonly Problem[];
  /** Where the spec came from, for messages. */
  readonly source: string;
}

async function loadFromSource(opts: SourceOptions, io: Io, onNetnsGuess?: (netns: string | undefined) => void): Promise<LoadedDesired> {
  const stdin = io.stdin ?? readStdin;
  const common = {
    lookup: systemLookup,
    ...(opts.netns !== undefined ? { netnsOverride: opts.netns } : {}),
    ...(onNetnsGuess ? { onNetnsGuess } : {}),
  };
  if (opts.file !== undefined) return { ...(await loadSpecFile(opts.file, common)), source: opts.file };
  if (opts.synth !== undefined) {
    // Loaded on demand: `drift -f` should not pay for the synth reader at startup.
    const { loadSynthStack } = await import('../synth/read-stack.js');
    return { ...(await loadSynthStack(opts.synth, common)), source: opts.synth };
  }
  if (opts.specStdin !== undefined) return { ...parseSpecText(await stdin(), opts.specStdin, common), source: opts.specStdin };
  if (opts.synthStdin !== undefined) {
    const { parseSynthStack } = await import('../synth/read-stack.js');
    return { ...parseSynthStack(await stdin(), opts.synthStdin, common), source: opts.sourceLabel ?? opts.synthStdin };
  }
  const variable = opts.specEnv!;
  const source = `env:${variable}`;
  return { ...parseSpecText(readSpecEnv(variable), source, common), source };
}

/** The spec document in the environment variable `--spec-env` names, or in its parts VAR_0, VAR_1, ... (src/synth/format.ts: SPEC_ENV_PART_CHARS). */
export function readSpecEnv(variable: string): string {
  const whole = process.env[variable];
  if (whole !== undefined) return whole;
  const parts: string[] = [];
  for (let part = process.env[specEnvPart(variable, 0)]; part !== undefined; part = process.env[specEnvPart(variable, parts.length)]) parts.push(part);
  if (parts.length === 0) {
    throw invalidInput(
      `'--spec-env' names the environment variable '${variable}', which is not set (nor are ${specEnvPart(variable, 0)}, ${specEnvPart(variable, 1)}, ..., the parts of a long spec)`,
    );
  }
  return parts.join('');
}

/** Reads the desired state from -f FILE, --synth DIR or --spec-env VAR; exactly one must be given. */
export async function loadDesired(opts: SourceOptions, io: Io, onNetnsGuess?: (netns: string | undefined) => void): Promise<LoadedDesired> {
  checkOneSource(opts);
  checkNetnsOption(opts.netns);
  const loaded = await loadFromSource(opts, io, onNetnsGuess);
  for (const w of loaded.warnings) io.err(`warning: ${formatProblem(w)}\n`);
  return loaded;
}

/**
 * The desired state plus whatever `read` fetches for its namespace (the live
 * state, or the lock and the live state). The read starts as soon as the YAML
 * is parsed, so the `ip` dumps run while the spec is validated: on a
 * 1000-device spec that overlap is most of drift's margin.
 */
export async function loadDesiredWith<T>(
  opts: SourceOptions,
  io: Io,
  read: (netns: string | undefined) => Promise<T>,
  discard: (value: T) => Promise<void> = async () => {},
): Promise<LoadedDesired & { readonly read: T }> {
  let early: { netns: string | undefined; value: Promise<T> } | undefined;
  let loaded: LoadedDesired;
  try {
    loaded = await loadDesired(opts, io, (netns) => {
      const value = read(netns);
      value.catch(() => {
        /* a bad guess is reported by validation, or read again below */
      });
      early = { netns, value };
    });
  } catch (e) {
    // Validation failed: let go of what the early read took (the lock).
    if (early) await early.value.then(discard, () => {});
    throw e;
  }
  const netns = loaded.desired.netns;
  if (early && early.netns === netns) return { ...loaded, read: await early.value };
  if (early) await early.value.then(discard, () => {});
  return { ...loaded, read: await read(netns) };
}

export async function loadDesiredAndLive(opts: SourceOptions, io: Io): Promise<LoadedDesired & { readonly live: LiveState }> {
  const { read, ...loaded } = await loadDesiredWith(opts, io, (netns) => readLiveState(netns === undefined ? {} : { netns }));
  return { ...loaded, live: read };
}

/**
 * The desired state plus the namespace's lock and live state read under it,
 * taken while the spec is validated (apply, destroy, import): live state is
 * read once, under the lock. The lock is released if validation fails.
 */
export function loadDesiredLocked(
  opts: SourceOptions,
  io: Io,
  /** A run scoped to these devices (--device): the read may hold only them, as applyDesired's own reads do. */
  names?: readonly string[],
): Promise<LoadedDesired & { readonly read: { readonly lock?: Lock; readonly live: LiveState } }> {
  const scoped = names !== undefined && names.length > 0 ? names : undefined;
  return loadDesiredWith(
    opts,
    io,
    (netns) => lockAndRead(netns, () => io.err(`waiting for another tunform run on ${netns ? `netns '${netns}'` : 'this namespace'} to finish...\n`), io.engine ?? oneShotIo, scoped),
    async (l) => l.lock?.release(),
  );
}
