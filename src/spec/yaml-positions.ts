/**
 * YAML parsing that remembers where every node starts, so each problem can
 * point at the offending key or value.
 *
 * Why js-yaml's `listener` option rather than a second scanner of our own:
 * the listener sees exactly the nodes js-yaml composes (flow style, quoting,
 * multi-line scalars and comments included), so positions cannot disagree
 * with the parsed value. It fires `open` when js-yaml starts composing a node
 * and `close` when it is done; nesting of those events gives us a tree whose
 * children are, for a mapping, key, value, key, value… and, for a sequence,
 * its items. An `open` of a mapping value fires right after the colon, so a
 * node's start is found by skipping whitespace and comments from there.
 *
 * Known limits, where we fall back to the enclosing node's position: merge
 * keys are not enabled (CORE_SCHEMA), aliases point at the alias, and flow
 * collections with unusual shapes (`[a: b]`, `{a, b: c}`) or empty block
 * sequence entries may not line up, which we detect by counting children.
 */
import { load, CORE_SCHEMA, type State } from 'js-yaml';
import { loadPlainYaml } from './yaml-plain.js';

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

interface YamlNode {
  start: number;
  result: unknown;
  children: YamlNode[];
}

export type PathSegment = string | number;

/** Answers "where is this key path in the file". */
export interface PositionIndex {
  /** Position of the key itself (last segment), for unknown or misplaced keys. */
  keyAt(path: readonly PathSegment[]): SourcePosition | undefined;
  /** Position of the value at path, for wrong values; the key when the value is empty. */
  valueAt(path: readonly PathSegment[]): SourcePosition | undefined;
}

export interface ParsedYaml {
  readonly value: unknown;
  readonly positions: PositionIndex;
}

/** Parses one YAML document. Throws js-yaml's YAMLException on syntax errors. */
export function parseYamlWithPositions(text: string): ParsedYaml {
  const stack: YamlNode[] = [{ start: 0, result: undefined, children: [] }];
  const value = load(text, {
    schema: CORE_SCHEMA,
    listener(event: 'open' | 'close', state: State) {
      if (event === 'open') {
        stack.push({ start: state.position, result: undefined, children: [] });
        return;
      }
      const node = stack.pop();
      if (!node) return;
      node.result = state.result;
      node.start = skipBlanks(text, node.start);
      stack[stack.length - 1]?.children.push(node);
    },
  });
  const root = stack[0]?.children[stack[0].children.length - 1];
  return { value, positions: new TreePositionIndex(text, root) };
}

function skipBlanks(text: string, from: number): number {
  let i = from;
  for (;;) {
    const ch = text.charCodeAt(i);
    if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 0xfeff) {
      i++;
    } else if (ch === 35 /* # */) {
      while (i < text.length && text.charCodeAt(i) !== 10) i++;
    } else {
      return i;
    }
  }
}

/**
 * js-yaml sometimes wraps a collection in an outer node that composed it
 * (a flow sequence read as a would-be block mapping key); the inner node has
 * the children we need.
 */
function unwrap(node: YamlNode): YamlNode {
  let n = node;
  while (n.children.length === 1 && n.children[0] !== undefined && n.children[0].result === n.result && typeof n.result === 'object' && n.result !== null) {
    n = n.children[0];
  }
  return n;
}

interface Pair {
  key: YamlNode;
  value: YamlNode | undefined;
}

function findPair(mapping: YamlNode, key: string): Pair | undefined {
  const kids = mapping.children;
  for (let i = 0; i < kids.length; i += 2) {
    const k = kids[i];
    if (k !== undefined && String(k.result) === key) return { key: k, value: kids[i + 1] };
  }
  return undefined;
}

class TreePositionIndex implements PositionIndex {
  private lineStarts: number[] | undefined;

  constructor(
    private readonly text: string,
    private readonly root: YamlNode | undefined,
  ) {}

  keyAt(path: readonly PathSegment[]): SourcePosition | undefined {
    return this.locate(path, 'key');
  }

  valueAt(path: readonly PathSegment[]): SourcePosition | undefined {
    return this.locate(path, 'value');
  }

  /** Walks the tree; when a step cannot be matched, answers with the deepest node reached. */
  private locate(path: readonly PathSegment[], want: 'key' | 'value'): SourcePosition | undefined {
    // An empty document has nothing to point at but its start.
    if (!this.root || this.root.result === null || this.root.result === undefined) return { line: 1, column: 1 };
    let node = unwrap(this.root);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as PathSegment;
      const last = i === path.length - 1;
      const result = node.result;
      if (Array.isArray(result) && typeof seg === 'number') {
        if (node.children.length !== result.length) break;
        const item = node.children[seg];
        if (!item) break;
        node = unwrap(item);
        continue;
      }
      if (result === null || typeof result !== 'object' || Array.isArray(result)) break;
      const pair = findPair(node, String(seg));
      if (!pair) break;
      if (last && (want === 'key' || pair.value === undefined || pair.value.result === null)) {
        return this.toPosition(pair.key.start);
      }
      if (!pair.value) return this.toPosition(pair.key.start);
      node = unwrap(pair.value);
    }
    return this.toPosition(node.start);
  }

  private toPosition(offset: number): SourcePosition {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * Parses without tracking positions and builds the index only when a problem
 * or warning asks for one: valid files, the common case, skip the listener's
 * cost (noticeable on a 1000-device spec on every `tunform drift`).
 */
export function parseYamlLazyPositions(text: string): ParsedYaml {
  // Plain block YAML, the common case, skips js-yaml (yaml-plain.ts); it loads to the same value.
  const plain = loadPlainYaml(text);
  const value = plain !== undefined ? plain.value : load(text, { schema: CORE_SCHEMA });
  let index: PositionIndex | undefined;
  const positions = (): PositionIndex => (index ??= parseYamlWithPositions(text).positions);
  return {
    value,
    positions: {
      keyAt: (path) => positions().keyAt(path),
      valueAt: (path) => positions().valueAt(path),
    },
  };
}
