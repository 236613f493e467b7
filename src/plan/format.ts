import { CREATION_FIELDS } from '../model.js';
import type { FieldChange, ReplaceAction } from './types.js';

/** How a single value reads in human output; null is a value the kernel does not have set. */
export function showValue(v: string | number | boolean | null): string {
  return v === null ? '(none)' : String(v);
}

/** Replace reasons in the model's field order, for stable output. */
export function reasonEntries(reasons: ReplaceAction['reasons']): Array<[string, FieldChange<string | boolean>]> {
  const entries: Array<[string, FieldChange<string | boolean>]> = [];
  for (const field of CREATION_FIELDS) {
    const change = reasons[field];
    if (change !== undefined) entries.push([field, change]);
  }
  return entries;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
