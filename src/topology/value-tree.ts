// A topology given as a plain value (a library caller's object) -> the same SNode tree the YAML
// parser gives, without writing and parsing YAML text (~60 ms for 1000 nodes). Every span is
// 1:1: the tree is only used when the value has no issue at all; otherwise the caller goes the
// long way (YAML text, then the parser), so that each issue points at a line of that text.
import type { Span } from './types.js';
import { MAX_DEPTH, MAX_NODES } from './limits.js';
import type { SEntry, SNode } from './tree.js';

const AT: Span = { line: 1, col: 1 };

/**
 * The tree of a plain value, or undefined for anything YAML would spell differently than it is
 * (a Date, a Map, a class instance, a function, a bigint, undefined in a list, a cycle, a depth
 * or size past the parser's limits): those take the long way and get its findings.
 */
export function treeOfValue(value: unknown): SNode | undefined {
  const count = { nodes: 0 };
  try {
    return build(value, 0, count);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

const UNSUPPORTED = Symbol('unsupported');

/**
 * The trees of objects and arrays built before. A caller that changes one node of a big lab and
 * passes the others again (spread into a new object, as tests do) gets their very subtrees back,
 * after a walk that checks each still holds what it did (an object may have been changed in
 * place); the parse memo (memo.ts) then knows those nodes by their subtree alone.
 */
const built = new WeakMap<object, SNode>();

function build(v: unknown, depth: number, count: { nodes: number }): SNode {
  if (typeof v === 'object' && v !== null) {
    const prior = built.get(v);
    if (prior) {
      const before = count.nodes;
      if (matches(v, prior, depth, count)) return prior;
      count.nodes = before;
    }
    const fresh = buildNew(v, depth, count);
    built.set(v, fresh);
    return fresh;
  }
  return buildNew(v, depth, count);
}

/** Whether build(v) would give a tree equal to n (counting its nodes, as build does). */
function matches(v: unknown, n: SNode, depth: number, count: { nodes: number }): boolean {
  if (depth > MAX_DEPTH || ++count.nodes > MAX_NODES) return false;
  if (n.kind === 'scalar') return n.value === v;
  if (typeof v !== 'object' || v === null) return false;
  if (n.kind === 'seq') {
    if (!Array.isArray(v) || v.length !== n.items.length) return false;
    for (let i = 0; i < v.length; i++) if (!matches(v[i], n.items[i] as SNode, depth + 1, count)) return false;
    return true;
  }
  if (Array.isArray(v) || !isPlain(v)) return false;
  let i = 0;
  for (const key of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[key];
    if (x === undefined) continue;
    const e = n.entries[i++];
    if (e?.key !== key || !matches(x, e.value, depth + 1, count)) return false;
  }
  return i === n.entries.length;
}

function buildNew(v: unknown, depth: number, count: { nodes: number }): SNode {
  if (depth > MAX_DEPTH || ++count.nodes > MAX_NODES) throw UNSUPPORTED;
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
    return { kind: 'scalar', span: AT, value: v };
  }
  if (Array.isArray(v)) {
    const items: SNode[] = [];
    for (const x of v) {
      if (x === undefined) throw UNSUPPORTED;
      items.push(build(x, depth + 1, count));
    }
    return { kind: 'seq', span: AT, items };
  }
  if (typeof v === 'object' && isPlain(v)) {
    const entries: SEntry[] = [];
    const byKey = new Map<string, SEntry>();
    for (const key of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[key];
      // YAML's stringify leaves out a key whose value is undefined; so does this.
      if (x === undefined) continue;
      const e: SEntry = { key, keySpan: AT, value: build(x, depth + 1, count) };
      entries.push(e);
      byKey.set(key, e);
    }
    return { kind: 'map', span: AT, entries, byKey };
  }
  throw UNSUPPORTED;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(v).length === 0;
}
