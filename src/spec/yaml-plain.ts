/**
 * A loader for the plain block YAML that specs are almost always written in:
 * block mappings and sequences, one-line flow sequences, plain scalars, full
 * line and trailing comments. On a 1000-device spec js-yaml was the largest
 * single cost of `tunform drift` after Node's own start (docs/benchmarks.md):
 * it runs cold in a one-shot process, and it allocates enough to make the
 * garbage collector run several times.
 *
 * It answers undefined for anything it is not sure of, and then js-yaml
 * loads the text: quotes, anchors, aliases, tags, block scalars, flow
 * mappings, multi-line scalars, documents, tabs, non-ASCII text, duplicate
 * keys, odd indentation, and every scalar that is not plainly a string or a
 * small decimal integer. What it accepts it loads exactly as js-yaml's load
 * with CORE_SCHEMA would (test/unit/spec/yaml-plain.test.ts compares them),
 * so it never decides what a spec means, and never words a problem.
 */

interface Line {
  readonly indent: number;
  /** Without indentation, comment and trailing spaces; never empty. */
  readonly content: string;
}

/** Thrown inside the loader when the text leaves the subset; never escapes it. */
const UNSURE = new Error('not plain YAML');

/** Anything outside printable ASCII and newline (tabs, CR, BOM, control and non-ASCII characters), and YAML's indicators this loader does not take. */
const LEAVES_SUBSET = /[^\x20-\x7e\n]|["'&*!|>{}%@`?\\]/;
/** `key:` or `key: value`; keys are identifiers, so never a number, and never merge keys or __proto__ (checked below). */
const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$/;
/** Words of the characters specs use in names and addresses, one space apart; what a plain scalar may be here. */
const PLAIN_SCALAR = /^[A-Za-z0-9][A-Za-z0-9_./:-]*(?: [A-Za-z0-9_./:-]+)*$/;
/** A decimal integer js-yaml reads as a safe integer; a leading zero, a sign or an underscore goes to js-yaml. */
const SMALL_INT = /^(?:0|[1-9][0-9]{0,14})$/;
/** The core schema's null and booleans among words that start with a letter (its numbers start with a digit, a sign or a dot). */
const WORDS: ReadonlyMap<string, null | boolean> = new Map<string, null | boolean>([
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

/** The document's value, when the text is in the subset; undefined when js-yaml must load it. */
export function loadPlainYaml(text: string): { readonly value: unknown } | undefined {
  if (LEAVES_SUBSET.test(text)) return undefined;
  try {
    const lines = meaningfulLines(text);
    if (lines.length === 0 || (lines[0] as Line).indent !== 0) return undefined;
    const reader = new Reader(lines);
    const value = reader.block(0);
    return reader.at === lines.length ? { value } : undefined;
  } catch (e) {
    if (e === UNSURE) return undefined;
    throw e;
  }
}

function meaningfulLines(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    let content = raw.slice(indent);
    if (content === '' || content.startsWith('#')) continue;
    const comment = content.indexOf('#');
    if (comment !== -1) {
      // Only ' #' starts a comment; a '#' inside a word is part of a scalar, which this loader leaves to js-yaml.
      if (content.charCodeAt(comment - 1) !== 32) throw UNSURE;
      content = content.slice(0, comment);
    }
    content = content.trimEnd();
    if (content === '') continue;
    if (content.startsWith('---') || content.startsWith('...')) throw UNSURE;
    out.push({ indent, content });
  }
  return out;
}

const isEntry = (content: string): boolean => content === '-' || content.startsWith('- ');

class Reader {
  at = 0;

  constructor(private readonly lines: readonly Line[]) {}

  /** The block (a sequence or a mapping) whose first line is the next one, at `indent`. */
  block(indent: number): unknown {
    return isEntry((this.lines[this.at] as Line).content) ? this.sequence(indent) : this.mapping(indent);
  }

  private sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.lines[this.at]; line !== undefined && line.indent === indent && isEntry(line.content); line = this.lines[this.at]) {
      // A bare dash with its item below: js-yaml reads some of those in ways of its own; it decides.
      if (line.content === '-') throw UNSURE;
      let gap = 1;
      while (line.content.charCodeAt(gap) === 32) gap++;
      const rest = line.content.slice(gap);
      if (isEntry(rest)) throw UNSURE; // `- - x`
      if (KEY_LINE.test(rest)) {
        items.push(this.mapping(indent + gap, rest));
      } else {
        this.at++;
        items.push(inlineValue(rest));
        this.noContinuation(indent);
      }
    }
    this.ends(indent);
    return items;
  }

  /** A mapping at `indent`; its first line's content is `first` when it follows a sequence entry's dash. */
  private mapping(indent: number, first?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let content = first;
    for (;;) {
      const line = this.lines[this.at];
      if (content === undefined) {
        if (line === undefined || line.indent !== indent) break;
        content = line.content;
      }
      const m = KEY_LINE.exec(content);
      if (!m) throw UNSURE;
      const key = m[1] as string;
      if (WORDS.has(key) || key === '__proto__' || Object.hasOwn(out, key)) throw UNSURE;
      this.at++;
      const inline = m[2];
      if (inline === undefined || inline === '') {
        out[key] = this.nested(indent);
      } else {
        out[key] = inlineValue(inline);
        this.noContinuation(indent);
      }
      content = undefined;
    }
    this.ends(indent);
    return out;
  }

  /** The value below a key: a deeper block, a sequence at the key's own column (`key:` then `- x`), or null. */
  private nested(indent: number): unknown {
    const next = this.lines[this.at];
    if (next === undefined || next.indent < indent) return null;
    if (next.indent > indent) return this.block(next.indent);
    return isEntry(next.content) ? this.sequence(indent) : null;
  }

  /** After a one-line value, a deeper line would continue the scalar or be an error: js-yaml decides. */
  private noContinuation(indent: number): void {
    const next = this.lines[this.at];
    if (next !== undefined && next.indent > indent) throw UNSURE;
  }

  /** A block ends at a line less indented than it; one more indented that nothing took is not plain. */
  private ends(indent: number): void {
    const next = this.lines[this.at];
    if (next !== undefined && next.indent > indent) throw UNSURE;
  }
}

function inlineValue(text: string): unknown {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw UNSURE;
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    return inner.split(',').map((item) => scalar(item.trim()));
  }
  return scalar(text);
}

function scalar(text: string): unknown {
  if (!PLAIN_SCALAR.test(text) || text.endsWith(':') || text.includes(': ')) throw UNSURE;
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    if (SMALL_INT.test(text)) return Number(text);
    // The core schema's ints and floats have no '/' or ':': such a word is a string (an address).
    if (text.includes('/') || text.includes(':')) return text;
    throw UNSURE;
  }
  const word = WORDS.get(text);
  return word === undefined ? text : word;
}
