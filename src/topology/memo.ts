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
  const out: string[] = [];
  out.push(JSON.stringify(e.key), `@${e.keySpan.line}:${e.keySpan.col}`);
  walk(e.value, out);
  return out.join('');
}

function walk(n: SNode, out: string[]): void {
  out.push(`@${n.span.line}:${n.span.col}`);
  if (n.kind === 'scalar') {
    out.push(typeof n.value === 'string' ? JSON.stringify(n.value) : `${typeof n.value}:${String(n.value)}`);
    return;
  }
  if (n.kind === 'seq') {
    out.push('[');
    for (const i of n.items) walk(i, out);
    out.push(']');
    return;
  }
  out.push('{');
  for (const e of n.entries) {
    out.push(JSON.stringify(e.key), `@${e.keySpan.line}:${e.keySpan.col}`);
    walk(e.value, out);
  }
  out.push('}');
}
