/**
 * How values and keys appear inside messages. One place, so every message
 * quotes keys the same way and shows values the way the user wrote them.
 */

const MAX_SHOWN = 60;

/** Control characters (C0, DEL, C1) and the bidirectional overrides that reorder what a terminal shows. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text with every character that would not show, or would move what follows, written as \uXXXX. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value as it appears in parentheses: strings JSON-quoted, numbers and booleans bare, collections by kind. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? visible(JSON.stringify(value)) : String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** `'key' (value)`, the start of every message about a value. */
export function keyValue(key: string, value: unknown): string {
  return `'${key}' (${showValue(value)})`;
}

/** `devices[1].mtu` from ['devices', 1, 'mtu']. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Levenshtein distance; keys are short, so the plain two-row version is plenty. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/**
 * The known key closest to an unknown one, if it is close enough to be a typo.
 * Case is ignored first because `multiqueue` for `multiQueue` is the common slip.
 */
export function nearestKey(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(unknown.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/**
 * The one message for a namespace that is not there; the spec, the synth
 * reader, the live reader and the CLI (key `--netns`) all say it.
 */
export function netnsMissingMessage(name: string, key = 'netns'): string {
  return `${keyValue(key, name)} does not exist; use a name from 'ip netns list'`;
}
