/**
 * One live-state snapshot per provider process, shared by every Read, import
 * and data source read. Terraform refreshes up to -parallelism resources at
 * once and a configuration may have a thousand: each reading the whole
 * namespace would cost a thousand link dumps. Concurrent callers share the
 * read in flight; a finished read serves later callers for SNAPSHOT_REUSE_MS
 * (counted from when the read started); any apply in this process discards it.
 */
import type { LiveDevice, LiveState } from '../../model.js';

/** How long one read answers later Reads: a refresh of 1000 resources fits in it, and it is short next to a human's `ip` command between two Terraform runs. */
export const SNAPSHOT_REUSE_MS = 3000;

export interface Snapshot {
  readonly live: LiveState;
  readonly byName: ReadonlyMap<string, LiveDevice>;
}

export class LiveSnapshots {
  private taken: { at: number; snapshot: Snapshot } | undefined;
  private inFlight: Promise<Snapshot> | undefined;
  /** Bumped by invalidate(): a read started before it must not be reused after it. */
  private epoch = 0;

  constructor(
    private readonly read: () => Promise<LiveState>,
    private readonly now: () => number = Date.now,
    private readonly reuseMs: number = SNAPSHOT_REUSE_MS,
  ) {}

  get(): Promise<Snapshot> {
    if (this.taken && this.now() - this.taken.at <= this.reuseMs) return Promise.resolve(this.taken.snapshot);
    if (this.inFlight) return this.inFlight;
    const epoch = this.epoch;
    const startedAt = this.now();
    const p = this.read().then((live) => {
      const snapshot: Snapshot = { live, byName: new Map(live.devices.map((d) => [d.name, d])) };
      if (epoch === this.epoch) this.taken = { at: startedAt, snapshot };
      return snapshot;
    });
    this.inFlight = p;
    const clear = () => {
      if (this.inFlight === p) this.inFlight = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /** Forget what was read: the next get() reads again. */
  invalidate(): void {
    this.epoch += 1;
    this.taken = undefined;
    this.inFlight = undefined;
  }

  /** A read that starts now. */
  fresh(): Promise<Snapshot> {
    this.invalidate();
    return this.get();
  }
}
