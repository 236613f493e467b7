/**
 * Turns zod issues into located problems. The schema's error functions
 * already wrote most sentences; this adds what needs the document's shape:
 * one problem per unknown key with a suggestion, and "must be a mapping" for
 * whole containers.
 */
import type * as z from 'zod';
import type { ProblemSink } from './problems.js';
import { nearestKey, visible } from './show.js';
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
      const where = sink.pathOf(path);
      for (const key of issue.keys.slice(0, MAX_UNKNOWN_KEYS_SHOWN)) sink.error([...path, key], unknownKeyMessage(key, where, ctx.knownKeysAt(path)), 'key');
      const more = issue.keys.length - MAX_UNKNOWN_KEYS_SHOWN;
      if (more > 0) sink.error(path, `and ${more} more unknown ${more === 1 ? 'key' : 'keys'} ${where === '' ? 'at the top level' : `in ${where}`}; allowed keys: ${ctx.knownKeysAt(path).join(', ')}`);
    } else if (issue.code === 'invalid_type' && issue.expected === 'object' && input !== undefined) {
      sink.error(path, ctx.notAMapping(path, input));
    } else {
      // A missing key has no position of its own; the lookup then stops at the mapping that lacks it.
      sink.error(path, issue.message);
    }
  }
}

/** A mapping with thousands of unknown keys is one mistake; listing each would cost quadratic time and bury it. */
const MAX_UNKNOWN_KEYS_SHOWN = 20;

function unknownKeyMessage(key: string, where: string, known: readonly string[]): string {
  const place = where === '' ? 'at the top level' : `in ${where}`;
  const near = nearestKey(key, known);
  return near !== undefined
    ? `unknown key '${visible(key)}' ${place}; did you mean '${near}'?`
    : `unknown key '${visible(key)}' ${place}; allowed keys: ${known.join(', ')}`;
}
