/**
 * Collects problems and warnings with their location. A sink knows the file
 * (if any), the position index of the YAML (if any) and where in the document
 * it is, so checks only name the key path relative to what they validate.
 */
import type { Problem } from '../errors.js';
import type { PathSegment, PositionIndex, SourcePosition } from './yaml-positions.js';
import { formatPath } from './show.js';

/** Which part of the YAML a problem is about. */
export type Anchor = 'key' | 'value';

export interface SinkOrigin {
  readonly file?: string;
  readonly positions?: PositionIndex;
  /** Rendered before the path, e.g. a construct path; empty for YAML files. */
  readonly prefix?: string;
}

export class ProblemSink {
  readonly problems: Problem[];
  readonly warnings: Problem[];

  constructor(
    private readonly origin: SinkOrigin,
    private readonly base: readonly PathSegment[] = [],
    shared?: { problems: Problem[]; warnings: Problem[] },
  ) {
    this.problems = shared?.problems ?? [];
    this.warnings = shared?.warnings ?? [];
  }

  /** A sink for a sub-tree (e.g. one device) that reports into the same lists. */
  child(path: readonly PathSegment[]): ProblemSink {
    return new ProblemSink(this.origin, [...this.base, ...path], this);
  }

  error(path: readonly PathSegment[], message: string, anchor: Anchor = 'value'): void {
    this.problems.push(this.make(path, message, anchor));
  }

  warn(path: readonly PathSegment[], message: string, anchor: Anchor = 'value'): void {
    this.warnings.push(this.make(path, message, anchor));
  }

  /** Key path as users read it: `devices[1].mtu`, or `<prefix>.mtu` for constructs. */
  pathOf(path: readonly PathSegment[] = []): string {
    return formatPath([...this.base, ...path], this.origin.prefix ?? '');
  }

  /** `at line 7` when the position is known, for messages that refer to another place. */
  lineOf(path: readonly PathSegment[]): number | undefined {
    return this.origin.positions?.valueAt([...this.base, ...path])?.line;
  }

  private make(path: readonly PathSegment[], message: string, anchor: Anchor): Problem {
    const full = [...this.base, ...path];
    const pos: SourcePosition | undefined =
      anchor === 'key' ? this.origin.positions?.keyAt(full) : this.origin.positions?.valueAt(full);
    const p: { -readonly [K in keyof Problem]: Problem[K] } = { message };
    if (this.origin.file !== undefined) p.file = this.origin.file;
    if (pos) {
      p.line = pos.line;
      p.column = pos.column;
    }
    const rendered = this.pathOf(path);
    if (rendered !== '') p.path = rendered;
    return p;
  }
}

/** File order, so a long list reads top to bottom; unlocated problems (command line) first. */
export function sortByPosition(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
