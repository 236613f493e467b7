/**
 * Bounds on what a YAML text may turn into. js-yaml shares an aliased node
 * instead of copying it, so a few hundred bytes of nested aliases load fast
 * and small, and only explode when something walks or prints them: the
 * budget is checked once, right after loading, before anything else looks.
 */

/** Per node 1, plus a string's length: what walking or printing the value would cost. */
export function expandsBeyond(value: unknown, budget: number): boolean {
  let left = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    left -= typeof v === 'string' ? 1 + v.length : 1;
    if (left < 0) return true;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (typeof v === 'object' && v !== null) for (const [k, item] of Object.entries(v)) stack.push(k, item);
  }
  return false;
}

/** What a spec may expand to: four times its text (aliases may repeat a little), and never less than a small spec needs. */
export const expansionBudget = (text: string): number => Math.max(100_000, 4 * text.length);

/** The 1-based line of the `---` that starts a second document, if the text has one. */
export function secondDocumentLine(text: string): number | undefined {
  const lines = text.split('\n');
  let content = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^---(\s|$)/.test(line)) {
      if (content) return i + 1;
      content = line.slice(3).trim() !== '' && !line.slice(3).trim().startsWith('#');
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(line)) continue;
    if (line.trim() !== '' && !line.trim().startsWith('#') && !line.startsWith('%')) content = true;
  }
  return undefined;
}
