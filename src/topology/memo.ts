// What one check of a topology may reuse from the check before it, in a long-lived process (the
// library's lab handle, `up --watch`): each node's parse, keyed by its exact subtree, spans
// included. A parse is a pure function of that subtree, and only parses that raised no issue are
// kept, so a hit gives exactly what parsing again would (and nothing for the sink). Applying
// one changed node to a 1000-node lab then parses one node, not a thousand.
import type { NodeRaw } from './raw.js';
import type { SEntry, SNode } from './tree.js';

/** Node parses by fingerprint, kept from one check to the next (only those the last check used). */
export class ParseMemo {
  #last = new Map<string, NodeRaw>();
  #now = new Map<string, NodeRaw>();

  /**
   * Parses by their node's subtree object: a plain value's unchanged nodes come back as the same
   * subtrees (value-tree.ts), found without rendering their fingerprint. YAML's trees are new
   * each time and never hit.
   */
  readonly #byTree = new WeakMap<SNode, { readonly entry: string; readonly raw: NodeRaw }>();

  /** The parse of a node entry whose subtree was seen before, under the same name at the same place. */
  seen(e: SEntry): NodeRaw | undefined {
    const hit = this.#byTree.get(e.value);
    return hit?.entry === entryHead(e) ? hit.raw : undefined;
  }

  /** Keep a parse that raised no issue, by its subtree too. */
  remember(e: SEntry, raw: NodeRaw): void {
    this.#byTree.set(e.value, { entry: entryHead(e), raw });
  }

  /** The parse of a node entry, from the previous or this check. */
  get(key: string): NodeRaw | undefined {
    const hit = this.#now.get(key) ?? this.#last.get(key);
    if (hit) this.#now.set(key, hit);
    return hit;
  }

  /** Keep a parse that raised no issue. */
  set(key: string, raw: NodeRaw): void {
    this.#now.set(key, raw);
  }

  /** End of a check: what it did not use is dropped, so the memo stays the size of one file. */
  done(): void {
    this.#last = this.#now;
    this.#now = new Map();
  }
}

/** A node entry's subtree as text: key, values, kinds and every span. */
export function fingerprint(e: SEntry): string {
  return `${entryHead(e)}${text(e.value)}`;
}

/** An entry's key and its place. */
function entryHead(e: SEntry): string {
  return `${JSON.stringify(e.key)}@${e.keySpan.line}:${e.keySpan.col}`;
}

function text(n: SNode): string {
  const at = `@${n.span.line}:${n.span.col}`;
  if (n.kind === 'scalar') return at + (typeof n.value === 'string' ? JSON.stringify(n.value) : `${typeof n.value}:${String(n.value)}`);
  let out = `${at}${n.kind === 'seq' ? '[' : '{'}`;
  if (n.kind === 'seq') for (const i of n.items) out += text(i);
  else for (const e of n.entries) out += `${JSON.stringify(e.key)}@${e.keySpan.line}:${e.keySpan.col}${text(e.value)}`;
  return `${out}${n.kind === 'seq' ? ']' : '}'}`;
}
