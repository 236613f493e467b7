/**
 * Turns concurrent calls into batches. Terraform keeps at most -parallelism
 * (10) ApplyResourceChange calls in flight and sends the next ones only as it
 * gets answers, so N resources cost about N/10 runs at best.
 *
 * A batch starts once as many calls wait as were ever in flight together
 * (Terraform's parallelism, learnt from the calls), or once no call has
 * arrived for APPLY_GATHER_MS, at the latest APPLY_GATHER_MAX_MS after the
 * first could have started. Starting as soon as a run ended with anything
 * queued split Terraform's ten calls into two cohorts that never merged again
 * (runs of 7 and 3, measured at N=100 under load): each cohort's answers
 * brought its successors in while the other cohort ran, twice the runs. So
 * after a run that leaves calls waiting, the gathering waits for the first of
 * its answers' successors (Terraform takes well over APPLY_GATHER_MS to send
 * them on a loaded machine), bounded by the cap.
 */

/** Terraform sends the next calls as it finishes recording earlier results, tens of ms apart: a quiet gap this long ends the gathering. Short next to any run (hundreds of ms). */
export const APPLY_GATHER_MS = 50;
/**
 * The successors of a run's answers arrive spread out (over 100 ms apart on a
 * loaded machine, measured): once the first is in, the gap before starting is
 * this many times APPLY_GATHER_MS. Only batches that already wait pay it.
 */
export const SUCCESSOR_GAP_FACTOR = 3;
/** However calls trickle in, a batch waits no longer than this for more. */
export const APPLY_GATHER_MAX_MS = 400;

interface Waiting<I, R> {
  readonly item: I;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

export class Coalescer<I, R> {
  private queue: Waiting<I, R>[] = [];
  /** Size of the batch running now; 0 when none runs. */
  private running = 0;
  /** The most calls seen in flight together (running plus waiting): a batch this big starts at once. */
  private expected = 0;
  /** When the waiting calls could first have started (first arrival while idle, or the end of the last run). */
  private since: number | undefined;
  /** A run ended with calls waiting and no call has arrived since: its answers' successors are on the way. */
  private awaitingSuccessors = false;
  /** A run has ended since the last batch started: its successors arrive spread out, so the quiet gap is longer. */
  private afterRun = false;
  private timer: NodeJS.Timeout | undefined;

  /** runBatch answers each item, in order. */
  constructor(
    private readonly runBatch: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly gatherMs: number = APPLY_GATHER_MS,
    private readonly gatherMaxMs: number = APPLY_GATHER_MAX_MS,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running > 0) this.expected = Math.max(this.expected, this.running + this.queue.length);
      else {
        this.awaitingSuccessors = false;
        this.arm();
      }
    });
  }

  /** Resolves once nothing is queued or running (for a clean stop). */
  async idle(): Promise<void> {
    while (this.running > 0 || this.queue.length > 0) await new Promise((r) => setTimeout(r, this.gatherMs));
  }

  /** Decides when the waiting calls start: now, if as many wait as Terraform keeps in flight, else after a quiet gap. */
  private arm(): void {
    if (this.running > 0 || this.queue.length === 0) return;
    clearTimeout(this.timer);
    // One call in flight at a time (-parallelism=1, or nothing learnt yet) still waits a gap: more may be on the way.
    if (this.expected > 1 && this.queue.length >= this.expected) return void this.start();
    const now = Date.now();
    this.since ??= now;
    const cap = this.since + this.gatherMaxMs - now;
    // Right after a run, Terraform has not yet reacted to its answers: a quiet gap then means nothing.
    const gap = this.afterRun ? this.gatherMs * SUCCESSOR_GAP_FACTOR : this.gatherMs;
    const wait = Math.max(0, this.awaitingSuccessors ? cap : Math.min(gap, cap));
    this.timer = setTimeout(() => void this.start(), wait);
  }

  private async start(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.since = undefined;
    this.afterRun = false;
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    this.running = batch.length;
    this.expected = Math.max(this.expected, batch.length);
    try {
      const results = await this.runBatch(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (e) {
      for (const w of batch) w.reject(e);
    } finally {
      this.running = 0;
      this.afterRun = true;
      this.awaitingSuccessors = this.queue.length > 0;
      this.arm();
    }
  }
}
