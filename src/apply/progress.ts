/** What a long run tells its caller as it goes; the CLI decides how (src/cli/progress.ts). */
export interface Progress {
  /** A phase begins (e.g. `changing`, `verifying`); total is its number of steps when known. */
  phase(name: string, total?: number): void;
  /** One step of the current phase is done (or failed). */
  step(): void;
  /** The run is over, however it ended. */
  end(): void;
}
