/**
 * What the resource, the data source and the provider share in one plugin
 * process: the system seams (injectable, so tests can count engine runs), the
 * provider's settings once configured, the live snapshot and the apply batcher.
 */
import type { DesiredState, LiveState } from '../../model.js';
import type { ApplyOptions, ApplyResult } from '../../apply/apply.js';
import type { Lock } from '../../apply/lock.js';
import type { AdoptOptions, AdoptResult } from '../../apply/adopt.js';
import type { AdoptRequest } from '../../plan/adopt.js';
import type { SystemLookup } from '../../spec/lookup.js';
import { LiveSnapshots } from './snapshot.js';
import { Coalescer } from './coalescer.js';
import { runChanges, type BatchOutcome, type DeviceChange } from './batch.js';

export interface TunformDeps {
  readonly lookup: SystemLookup;
  readonly readLive: (netns: string | undefined) => Promise<LiveState>;
  readonly applyDesired: (desired: DesiredState, opts: ApplyOptions) => Promise<ApplyResult>;
  /** With names, the read may hold only those devices (the batch's). */
  readonly lockAndRead: (netns: string | undefined, names?: readonly string[]) => Promise<{ lock?: Lock; live: LiveState }>;
  readonly adoptDevices: (netns: string | undefined, requests: readonly AdoptRequest[], opts?: AdoptOptions) => Promise<AdoptResult>;
  /** Ends what the engine keeps running for the plugin's life (its lock helper and readers). */
  readonly close?: () => Promise<void>;
}

export interface Settings {
  readonly netns?: string;
  readonly force: boolean;
}

/** What a not-yet-resolvable name validates as before configuration; never used to change anything. */
const NAME_CHECKED_AT_PLAN = 0;

export class ProviderContext {
  private current: Settings = { force: false };
  private configured = false;
  private snapshotsOf: LiveSnapshots | undefined;
  private batcherOf: Coalescer<DeviceChange, BatchOutcome> | undefined;

  constructor(private engine: TunformDeps) {}

  get deps(): TunformDeps {
    return this.engine;
  }

  /** A remote `host`: every engine call goes to that host (remote-host.ts). Call configure() next: it drops what was built over the old engine. */
  useEngine(deps: TunformDeps): void {
    this.engine = deps;
  }

  get lookup(): SystemLookup {
    return this.deps.lookup;
  }

  /**
   * The lookup for ValidateResourceConfig. Terraform validates resources in a
   * provider process it never configures, so it does not know yet which host
   * the device lives on: user and group names are checked at plan, against
   * that host's accounts; ids and everything else are checked here.
   */
  get validationLookup(): SystemLookup {
    if (this.configured) return this.lookup;
    const base = this.deps.lookup;
    const deferName = (v: string | number) => typeof v === 'string' && !/^[0-9]+$/.test(v);
    return {
      resolveUser: (v) => (deferName(v) ? NAME_CHECKED_AT_PLAN : base.resolveUser(v)),
      resolveGroup: (v) => (deferName(v) ? NAME_CHECKED_AT_PLAN : base.resolveGroup(v)),
      netnsExists: (name) => base.netnsExists(name),
      ...(base.where !== undefined ? { where: base.where } : {}),
    };
  }

  get settings(): Settings {
    return this.current;
  }

  configure(settings: Settings): void {
    this.current = settings;
    this.configured = true;
    this.snapshotsOf = undefined;
    this.batcherOf = undefined;
  }

  get snapshots(): LiveSnapshots {
    this.snapshotsOf ??= new LiveSnapshots(() => this.deps.readLive(this.current.netns));
    return this.snapshotsOf;
  }

  /** One batcher per process: the provider manages one namespace. */
  get batcher(): Coalescer<DeviceChange, BatchOutcome> {
    this.batcherOf ??= new Coalescer((changes) =>
      runChanges(
        changes,
        {
          applyDesired: this.deps.applyDesired,
          lockAndRead: this.deps.lockAndRead,
          adoptDevices: this.deps.adoptDevices,
          readFresh: async () => (await this.snapshots.fresh()).live,
        },
        this.current,
      ),
    );
    return this.batcherOf;
  }
}
