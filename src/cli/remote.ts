/**
 * `--host ssh://...`: the same command, run by the host's own tunform over
 * the SSH transport (src/sys/ssh.ts). The spec travels over stdin, so the
 * remote validates it with its own users, groups and namespaces and names
 * the local file in its messages; its stdout, stderr and exit code are ours.
 */
import type { Command } from 'commander';
import { parseSshTarget } from '../sys/ssh-target.js';
import { SshTransport } from '../sys/ssh.js';
import { readSpecFile } from '../spec/index.js';
import { checkOneSource, readSpecEnv, SOURCE_KEYS, type SourceOptions } from './desired.js';
import { packageVersion } from '../sys/version.js';
import { invalidInput } from '../errors.js';
import type { Io } from './io.js';

export interface TransportOptions {
  /** `ssh://[user@]HOST[:PORT]` */
  readonly host?: string;
  readonly knownHosts?: string;
  readonly identity?: string;
  readonly remoteTunform?: string;
}

/** Options that choose the transport; never forwarded to the remote. */
export const TRANSPORT_KEYS = ['host', 'knownHosts', 'identity', 'remoteTunform'] as const satisfies readonly (keyof TransportOptions)[];

/** The transport for these options (`--host` given). */
export function transportFor(opts: TransportOptions & { readonly host: string }): SshTransport {
  return new SshTransport(
    parseSshTarget(opts.host),
    {
      ...(opts.knownHosts !== undefined ? { knownHosts: opts.knownHosts } : {}),
      ...(opts.identity !== undefined ? { identity: opts.identity } : {}),
      ...(opts.remoteTunform !== undefined ? { remoteTunform: opts.remoteTunform } : {}),
    },
    packageVersion(),
  );
}

/** The transport options given without `--host` mean nothing: say so rather than run locally. */
export function checkTransportOptions(opts: TransportOptions): void {
  if (opts.host !== undefined) return;
  const stray = (['knownHosts', 'identity'] as const).filter((k) => opts[k] !== undefined);
  if (stray.length > 0) {
    const flags = stray.map((k) => (k === 'knownHosts' ? "'--known-hosts'" : "'--identity'")).join(' and ');
    throw invalidInput(`${flags} only apply with '--host ssh://[user@]HOST[:PORT]'`);
  }
}

const NOT_FORWARDED: ReadonlySet<string> = new Set<string>([...TRANSPORT_KEYS, ...SOURCE_KEYS, 'sourceLabel']);

/**
 * The command's own options as the user gave them (from the command line or
 * the environment, not defaults), for the remote command line. Values go as
 * `--key=value`, so none is taken for an option.
 */
export function forwardedArgs(cmd: Command, opts: Readonly<Record<string, unknown>>): string[] {
  const args: string[] = [];
  for (const option of cmd.options) {
    const key = option.attributeName();
    if (NOT_FORWARDED.has(key) || option.long === undefined) continue;
    const source = cmd.getOptionValueSource(key);
    if (source === undefined || source === 'default' || source === 'implied') continue;
    const value = opts[key];
    if (option.negate) {
      if (value === false) args.push(option.long);
    } else if (value === true) {
      args.push(option.long);
    } else if (Array.isArray(value)) {
      for (const v of value) args.push(`${option.long}=${String(v)}`);
    } else if (typeof value === 'string') {
      args.push(`${option.long}=${value}`);
    }
  }
  return args;
}

/** How the spec reaches the remote: its text on stdin, named as the local run would name it. */
async function stdinSource(opts: SourceOptions): Promise<{ args: string[]; input: string }> {
  checkOneSource(opts);
  if (opts.file !== undefined) return { args: [`--spec-stdin=${opts.file}`], input: await readSpecFile(opts.file) };
  if (opts.synth !== undefined) {
    const { readStackText } = await import('../synth/read-stack.js');
    const { file, text } = await readStackText(opts.synth);
    return { args: [`--synth-stdin=${file}`, `--source-label=${opts.synth}`], input: text };
  }
  if (opts.specEnv !== undefined) {
    return { args: [`--spec-stdin=env:${opts.specEnv}`], input: readSpecEnv(opts.specEnv) };
  }
  // The internal stdin sources pass straight through (a remote run from a remote run).
  throw invalidInput("'--spec-stdin' and '--synth-stdin' cannot be combined with '--host'");
}

const takesSpec = (cmd: Command) => cmd.options.some((o) => o.attributeName() === 'file');

/** Runs the command on `--host`; returns the remote exit code. */
export async function runRemote(cmd: Command, opts: TransportOptions & SourceOptions & { readonly host: string }, io: Io): Promise<number> {
  const transport = transportFor(opts);
  const source = takesSpec(cmd) ? await stdinSource(opts) : { args: [] };
  const args = [cmd.name(), ...source.args, ...forwardedArgs(cmd, opts as unknown as Readonly<Record<string, unknown>>)];
  // Operands (import's device names) after '--', so none is taken for an option.
  if (cmd.args.length > 0) args.push('--', ...cmd.args);
  const r = await transport.run(args, {
    ...('input' in source ? { input: source.input } : {}),
    onStdout: (t) => io.out(t),
    onStderr: (t) => io.err(t),
  });
  return r.code;
}
