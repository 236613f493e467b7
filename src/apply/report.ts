import type { Step } from './steps.js';
import { describeStep } from './steps.js';

/** What an apply did, step by step, so a failure can say exactly what ran. */
export interface ApplyReport {
  readonly done: readonly string[];
  readonly failed: readonly { readonly step: string; readonly error: string }[];
  readonly notDone: readonly string[];
  /** What went differently from the intended way without failing a step (the holder started outside its systemd unit, say). */
  readonly warnings: readonly string[];
}

export class ReportBuilder {
  private readonly doneSteps: string[] = [];
  private readonly failedSteps: { step: string; error: string }[] = [];
  private readonly notDoneSteps: string[] = [];
  private readonly warningLines: string[] = [];

  /** onStep: called for every step that ran (done or failed), for progress. */
  constructor(private readonly onStep?: () => void) {}

  done(s: Step): void {
    this.doneSteps.push(describeStep(s));
    this.onStep?.();
  }
  failed(s: Step, error: string): void {
    this.failedSteps.push({ step: describeStep(s), error });
    this.onStep?.();
  }
  notDone(steps: readonly Step[]): void {
    for (const s of steps) this.notDoneSteps.push(describeStep(s));
  }
  warn(line: string): void {
    this.warningLines.push(line);
  }
  get hasFailures(): boolean {
    return this.failedSteps.length > 0;
  }
  build(): ApplyReport {
    return { done: [...this.doneSteps], failed: [...this.failedSteps], notDone: [...this.notDoneSteps], warnings: [...this.warningLines] };
  }
}

/** Detail lines for an error message: done, failed, not done. */
export function reportLines(r: ApplyReport): string[] {
  const lines: string[] = [];
  lines.push(r.done.length > 0 ? `done (${r.done.length}): ${r.done.join('; ')}` : 'done: nothing');
  for (const f of r.failed) lines.push(`failed: ${f.step}: ${f.error}`);
  lines.push(r.notDone.length > 0 ? `not done (${r.notDone.length}): ${r.notDone.join('; ')}` : 'not done: nothing');
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines;
}
