/**
 * Turns concurrent calls into batches: the first call starts a run (after
 * APPLY_GATHER_MS, so calls Terraform sent together go together); calls that
 * arrive while a run executes wait and form the next run. With Terraform's
 * ten ApplyResourceChange calls in flight, N resources cost about N/10 runs
 * instead of N.
 */

/** Terraform sends the next calls only as it finishes recording earlier results, spread over tens of ms: wait that long so they share a run; short next to any run (hundreds of ms). */
export const APPLY_GATHER_MS = 50;

interface Waiting<I, R> {
  readonly item: I;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

export class Coalescer<I, R> {
  private queue: Waiting<I, R>[] = [];
  private running = false;

  /** runBatch answers each item, in order. */
  constructor(
    private readonly runBatch: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly gatherMs: number = APPLY_GATHER_MS,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setTimeout(() => void this.drain(), this.gatherMs);
      }
    });
  }

  /** Resolves once nothing is queued or running (for a clean stop). */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, this.gatherMs));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        const results = await this.runBatch(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i] as R));
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    this.running = false;
  }
}
