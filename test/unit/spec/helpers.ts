import { expect } from 'vitest';
import { TunformError, type Problem } from '../../../src/errors.js';
import { parseSpecText, type SystemLookup } from '../../../src/spec/index.js';
import { fakeLookup } from './fake-lookup.js';

/** The problems parseSpecText throws for text; fails the test when it does not throw. */
export function problemsOf(text: string, opts: { lookup?: SystemLookup; netnsOverride?: string } = {}): Problem[] {
  try {
    parseSpecText(text, 'spec.yaml', { lookup: opts.lookup ?? fakeLookup(), netnsOverride: opts.netnsOverride });
  } catch (e) {
    expect(e).toBeInstanceOf(TunformError);
    expect((e as TunformError).kind).toBe('invalid');
    return [...(e as TunformError).problems];
  }
  throw new Error('expected the spec to be rejected');
}

/** Exactly one problem; returns it. */
export function onlyProblem(text: string, opts: { lookup?: SystemLookup; netnsOverride?: string } = {}): Problem {
  const problems = problemsOf(text, opts);
  expect(problems.map((p) => p.message)).toHaveLength(1);
  return problems[0] as Problem;
}

/** A one-device spec with extra lines indented under the device. */
export function oneDevice(...lines: string[]): string {
  return ['devices:', '  - name: tun0', '    mode: tun', ...lines.map((l) => `    ${l}`)].join('\n') + '\n';
}
