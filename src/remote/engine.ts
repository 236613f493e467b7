/**
 * The engine of a remote host: the live reader, the apply engine, adoption
 * and the account lookup, each answered by the host's own tunform over the
 * SSH transport. The provider uses it in place of the local engine when its
 * configuration has a `host`, so every rule (validation, planning, apply,
 * verification) runs where the devices are.
 *
 * Every call is one remote command with `--json`, sent to the host's one
 * `tunform serve` session (src/sys/ssh-session.ts); a failure comes back as
 * tunform's JSON error document and is thrown again as the same kind, its
 * message prefixed with the host.
 */
import { TunformError, backendError, type ErrorKind, type Problem } from '../errors.js';
import type { DesiredState, LiveState } from '../model.js';
import type { ApplyOptions, ApplyResult } from '../apply/apply.js';
import type { Lock } from '../apply/lock.js';
import type { AdoptOptions, AdoptResult } from '../apply/adopt.js';
import type { AdoptRequest } from '../plan/adopt.js';
import type { SystemLookup } from '../spec/lookup.js';
import { lookupFromFacts, type HostFacts } from '../live/system-lookup.js';
import type { SshTransport } from '../sys/ssh.js';
import { SshSession } from '../sys/ssh-session.js';

export interface RemoteEngine {
  readonly lookup: SystemLookup;
  readonly readLive: (netns: string | undefined) => Promise<LiveState>;
  readonly applyDesired: (desired: DesiredState, opts: ApplyOptions) => Promise<ApplyResult>;
  readonly adoptDevices: (netns: string | undefined, requests: readonly AdoptRequest[], opts?: AdoptOptions) => Promise<AdoptResult>;
  readonly lockAndRead: (netns: string | undefined) => Promise<{ lock?: Lock; live: LiveState }>;
}

/**
 * A lock cannot be held across two SSH commands: the remote apply takes the
 * host's lock and reads live state under it itself, so nothing is locked or
 * read here and applyDesired ignores what it is handed.
 */
const NOTHING_HELD: { live: LiveState } = Object.freeze({ live: Object.freeze({ devices: [], processesComplete: false }) });

const KINDS: ReadonlySet<string> = new Set<ErrorKind>(['invalid', 'permission', 'backend', 'verification', 'bug']);

interface ErrorDocument {
  readonly error: { kind: string; message: string; problems?: Problem[]; details?: string[] };
}

const isErrorDocument = (v: unknown): v is ErrorDocument => {
  const e = (v as ErrorDocument | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.kind === 'string' && KINDS.has(e.kind) && typeof e.message === 'string';
};

const netnsArgs = (netns: string | undefined) => (netns === undefined ? [] : [`--netns=${netns}`]);

/** The spec document the remote tunform reads from stdin. */
const specDocument = (desired: DesiredState) => JSON.stringify({ ...(desired.netns !== undefined ? { netns: desired.netns } : {}), devices: desired.devices });

export class RemoteHost {
  private readonly session: SshSession;

  constructor(private readonly transport: SshTransport) {
    this.session = new SshSession(transport);
  }

  /** `tunform ARGS --json` on the host (through the host's one serve session): the parsed document, or the remote error thrown again naming the host. */
  private async call<T>(args: readonly string[], input?: string): Promise<T> {
    const [command, ...rest] = args;
    // --json before the options: import's device names follow a '--'.
    const r = await this.session.run([command!, '--json', ...rest], input);
    let doc: unknown;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw backendError(`${this.transport.name}: 'tunform ${args[0]}' exited ${r.code} without a JSON answer`, {
        details: r.stderr.trim().split('\n').filter(Boolean),
      });
    }
    if (r.code === 0) return doc as T;
    if (isErrorDocument(doc)) {
      const e = doc.error;
      throw new TunformError(e.kind as ErrorKind, `${this.transport.name}: ${e.message}`, { problems: e.problems ?? [], details: e.details ?? [] });
    }
    throw backendError(`${this.transport.name}: 'tunform ${args[0]}' failed (exit ${r.code})`, { details: r.stderr.trim().split('\n').filter(Boolean) });
  }

  /** First contact: the version check (the session's greeting, or `--version`), then the host's accounts and namespaces. */
  async connect(): Promise<RemoteEngine> {
    const { facts } = await this.call<{ facts: HostFacts }>(['host-info', '--facts']);
    return {
      lookup: lookupFromFacts(facts, this.transport.name),
      readLive: async (netns) => (await this.call<{ live: LiveState }>(['host-info', '--live', ...netnsArgs(netns)])).live,
      applyDesired: (desired, opts) => this.apply(desired, opts),
      adoptDevices: (netns, requests, opts) => this.adopt(netns, requests, opts),
      lockAndRead: async () => NOTHING_HELD,
    };
  }

  private apply(desired: DesiredState, opts: ApplyOptions): Promise<ApplyResult> {
    // --live: the run's verification read comes back with the result, so the provider need not read the host again.
    const args = [opts.destroy ? 'destroy' : 'apply', `--spec-stdin=${this.transport.target.url}`, '--live'];
    if (opts.force) args.push('--force');
    if (opts.prune === false && !opts.destroy) args.push('--no-prune');
    for (const d of opts.devices ?? []) args.push(`--device=${d}`);
    const generation = opts.destroy ? opts.onlyGeneration : opts.generation;
    if (generation !== undefined) args.push(`--generation=${generation}`);
    return this.call<ApplyResult>(args, specDocument(desired));
  }

  private adopt(netns: string | undefined, requests: readonly AdoptRequest[], opts: AdoptOptions = {}): Promise<AdoptResult> {
    // `tunform import` adopts declared devices: each request needs its spec.
    const bare = requests.filter((r) => r.spec === undefined);
    if (bare.length > 0) {
      throw new TunformError('invalid', `${this.transport.name}: adopting a device without its configuration is not supported over SSH`, {
        problems: bare.map((r) => ({ path: r.name, message: `'${r.name}' must be applied once (with its configuration) before it can be deleted on a remote host` })),
      });
    }
    const desired: DesiredState = { ...(netns !== undefined ? { netns } : {}), devices: requests.map((r) => r.spec!) };
    const args = ['import', `--spec-stdin=${this.transport.target.url}`];
    if (opts.generation !== undefined) args.push(`--generation=${opts.generation}`);
    args.push('--', ...requests.map((r) => r.name));
    return this.call<AdoptResult>(args, specDocument(desired));
  }
}
