/**
 * Turns zod issues into located problems. The schema's error functions
 * already wrote most sentences; this adds what needs the document's shape:
 * one problem per unknown key with a suggestion, and "must be a mapping" for
 * whole containers.
 */
import type * as z from 'zod';
import type { ProblemSink } from './problems.js';
import { nearestKey } from './show.js';
import type { PathSegment } from './yaml-positions.js';

export interface IssueContext {
  /** Keys allowed in the mapping at this (relative) path. */
  knownKeysAt(path: readonly PathSegment[]): readonly string[];
  /** The sentence for a container that is not a mapping, e.g. a device given as a string. */
  notAMapping(path: readonly PathSegment[], input: unknown): string;
}

export function reportIssues(issues: readonly z.core.$ZodIssue[], sink: ProblemSink, ctx: IssueContext): void {
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    const input = (issue as { input?: unknown }).input;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) sink.error([...path, key], unknownKeyMessage(key, sink.pathOf(path), ctx.knownKeysAt(path)), 'key');
    } else if (issue.code === 'invalid_type' && issue.expected === 'object' && input !== undefined) {
      sink.error(path, ctx.notAMapping(path, input));
    } else {
      // A missing key has no position of its own; the lookup then stops at the mapping that lacks it.
      sink.error(path, issue.message);
    }
  }
}

function unknownKeyMessage(key: string, where: string, known: readonly string[]): string {
  const place = where === '' ? 'at the top level' : `in ${where}`;
  const near = nearestKey(key, known);
  return near !== undefined
    ? `unknown key '${key}' ${place}; did you mean '${near}'?`
    : `unknown key '${key}' ${place}; allowed keys: ${known.join(', ')}`;
}
