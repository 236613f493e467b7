/**
 * One live-state snapshot per provider process, shared by every Read, import
 * and data source read. Terraform refreshes up to -parallelism resources at
 * once and a configuration may have thousands: each reading the whole
 * namespace would cost thousands of link dumps, and even a read every few
 * seconds costs several whole-namespace reads per refresh.
 *
 * The rule: concurrent callers share the read in flight; a finished read
 * serves later callers as long as they keep coming, each within
 * SNAPSHOT_IDLE_MS of the one before (a refresh is one such stream of
 * calls, however long it lasts); a pause longer than that ends it. Any write
 * by this process discards it (invalidate(), before and after each apply),
 * and a read that was in flight across an invalidation is never kept.
 *
 * Why this is as correct as a read per resource: Terraform starts a new
 * plugin process for every command (and every graph walk), so a snapshot
 * never outlives the command that took it, and a device made or deleted by
 * hand before the command is in it. A change made by hand while a refresh
 * runs may be missed, as it would be by a per-resource read that happened a
 * moment earlier. A name missing from a snapshot gets one second look
 * (lookAgain) before a caller reports the device gone.
 */
import type { LiveDevice, LiveState } from '../../model.js';

/**
 * How long a snapshot waits for the next caller. Terraform keeps ten calls in
 * flight, so during a refresh Reads arrive milliseconds apart even on a loaded
 * machine; a second of silence means the refresh is over.
 */
export const SNAPSHOT_IDLE_MS = 1000;

export interface Snapshot {
  readonly live: LiveState;
  readonly byName: ReadonlyMap<string, LiveDevice>;
  /** Taken by lookAgain: a name missing from it is gone, no further look. */
  readonly secondLook: boolean;
}

export class LiveSnapshots {
  private taken: { lastUsed: number; snapshot: Snapshot } | undefined;
  private inFlight: { promise: Promise<Snapshot>; secondLook: boolean } | undefined;
  /** Bumped by invalidate(): a read started before it must not be reused after it. */
  private epoch = 0;

  constructor(
    private readonly read: () => Promise<LiveState>,
    private readonly now: () => number = Date.now,
    private readonly idleMs: number = SNAPSHOT_IDLE_MS,
  ) {}

  get(): Promise<Snapshot> {
    const t = this.now();
    if (this.taken && t - this.taken.lastUsed <= this.idleMs) {
      this.taken.lastUsed = t;
      return Promise.resolve(this.taken.snapshot);
    }
    this.taken = undefined;
    return this.inFlight?.promise ?? this.start(false);
  }

  /**
   * For a caller that did not find a name in `seen`: a snapshot that is newer
   * than `seen` (the one in flight, or the current one when another caller
   * already looked again), else a new read. Once per snapshot: `seen` taken by
   * a second look is answered as it is, so a refresh of many devices that are
   * all gone costs two reads, not one per device.
   */
  lookAgain(seen: Snapshot): Promise<Snapshot> {
    if (seen.secondLook) return Promise.resolve(seen);
    if (this.taken && this.taken.snapshot !== seen) return this.get();
    if (this.inFlight) return this.inFlight.secondLook ? this.inFlight.promise : this.inFlight.promise.then((s) => (s === seen ? this.start(true) : s));
    return this.start(true);
  }

  /** Forget what was read: the next get() reads again. Called before and after every write by this process. */
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

  private start(secondLook: boolean): Promise<Snapshot> {
    const epoch = this.epoch;
    const promise = this.read().then((live) => {
      const snapshot: Snapshot = { live, byName: new Map(live.devices.map((d) => [d.name, d])), secondLook };
      if (epoch === this.epoch) this.taken = { lastUsed: this.now(), snapshot };
      return snapshot;
    });
    const entry = { promise, secondLook };
    this.inFlight = entry;
    const clear = () => {
      if (this.inFlight === entry) this.inFlight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }
}
