// The parsed YAML as a small positioned tree (SNode), independent of the YAML library, plus
// lookups from a schema path to the most specific node. Built only by source.ts.
import type { Span } from './types.js';

/** A scalar value as YAML's core schema gives it. */
export type ScalarValue = string | number | boolean | null;

/** A mapping; keys are unique (the parser rejects duplicates). */
export interface SMap {
  readonly kind: 'map';
  readonly span: Span;
  readonly entries: readonly SEntry[];
  readonly byKey: ReadonlyMap<string, SEntry>;
}

/** A sequence. */
export interface SSeq {
  readonly kind: 'seq';
  readonly span: Span;
  readonly items: readonly SNode[];
}

/** A scalar (string, number, boolean or null). */
export interface SScalar {
  readonly kind: 'scalar';
  readonly span: Span;
  readonly value: ScalarValue;
}

/** Any node of the tree. */
export type SNode = SMap | SSeq | SScalar;

/** One `key: value` pair of a mapping, with the key's own position. */
export interface SEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: SNode;
}

/** A schema path: mapping keys and sequence indexes. */
export type Path = readonly PropertyKey[];

/** The node at path, or the deepest node on the way there when the path leaves the tree. */
export function nodeAt(root: SNode, path: Path): SNode {
  let cur = root;
  for (const seg of path) {
    const next = childOf(cur, seg);
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

/** The span of nodeAt(root, path). */
export function spanAt(root: SNode, path: Path): Span {
  return nodeAt(root, path).span;
}

/** The span of key `key` in the mapping at path, or of that node when the key is not there. */
export function keySpanAt(root: SNode, path: Path, key: string): Span {
  const n = nodeAt(root, path);
  return (n.kind === 'map' && n.byKey.get(key)?.keySpan) || n.span;
}

/** The entry `key` of a node if it is a mapping that has it. */
export function entryOf(n: SNode, key: string): SEntry | undefined {
  return n.kind === 'map' ? n.byKey.get(key) : undefined;
}

/** The node as plain data for schema checks (mappings become own-property objects). */
export function toPlain(n: SNode): unknown {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(toPlain);
  const out: Record<string, unknown> = {};
  // defineProperty: a key such as "__proto__" must stay an ordinary (and rejected) key.
  for (const e of n.entries) Object.defineProperty(out, e.key, { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Whether the node is a null scalar (an empty value such as `key:`). */
export function isNull(n: SNode): boolean {
  return n.kind === 'scalar' && n.value === null;
}

function childOf(n: SNode, seg: PropertyKey): SNode | undefined {
  if (n.kind === 'map' && typeof seg === 'string') return n.byKey.get(seg)?.value;
  if (n.kind === 'seq' && typeof seg === 'number') return n.items[seg];
  return undefined;
}
