import { ACTION_PRIORITY, type Action, type Conflict } from './types.js';

/**
 * Code-point order: localeCompare depends on the host's ICU data and locale,
 * and a plan must come out byte-identical everywhere.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

export function sortActions(actions: readonly Action[]): Action[] {
  return [...actions].sort(
    (a, b) => ACTION_PRIORITY[a.action] - ACTION_PRIORITY[b.action] || compareCodePoints(a.name, b.name),
  );
}

export function sortConflicts(conflicts: readonly Conflict[]): Conflict[] {
  return [...conflicts].sort((a, b) => compareCodePoints(a.name, b.name));
}

export function sortedStrings(values: Iterable<string>): string[] {
  return [...values].sort(compareCodePoints);
}

export function sortedNumbers(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}
