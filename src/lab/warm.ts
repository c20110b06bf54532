// A lab kept warm by a long-lived process (the library's Lab handle, `up --watch`): what one `up`
// of the lab may reuse in the next, so that changing one node of a big lab costs about what its
// kernel work costs, not what reading the whole lab costs (for 1000 nodes: ~15 ms to read the
// journal, ~30 ms to dump the host's links, ~40 ms to parse and check every node again, ~40 ms to
// load the model of the text the lab converged to, for trust).
//
// What is kept, and why each is safe:
// - the journal, read once and then only what was appended since (state/journal.ts
//   readJournalSince): whoever appended, the state is the file's;
// - the resources of the last text this process brought the lab to, standing for the cached
//   model of it, while the journal's last record says the lab converged to that text;
// - each node's parse (topology/memo.ts), a pure function of the node's text;
// - which resolv.conf each node's namespace was linked to, to check only the nodes that change;
// - the model cache file written when the lab is left alone, not in the middle of the next
//   change (this process keeps the model in memory: lab/model-cache.ts);
// - whether anyone wrote the journal since this process's last up finished: while no one did,
//   the lab's own namespaces are as that up left them but for `ip netns delete` (which takes the
//   name away), so listing them needs no look at each mount (`untouched`).
// Everything else (the kernel's namespaces, links and rules) is read or trusted as a plain `up`
// does, the host in part (plan/trust.ts warmHostTrust).
import { ParseMemo } from '../topology/memo.js';
import type { Resource } from '../plan/resources.js';
import { readJournalSince, type JournalMark, type JournalState } from '../state/journal.js';
import type { StateRoot } from '../state/root.js';
import { assertStateReadable, labPaths } from '../state/store.js';

/** Whether two marks are the same place in the same file. */
function sameMark(a: JournalMark, b: JournalMark): boolean {
  return a.ino === b.ino && a.born === b.born && a.size === b.size;
}

/** How long a lab must be left alone before deferred work runs, ms. */
const IDLE_MS = 500;

/** One lab's warm state in this process (one lab at a time, of one state root). */
export class WarmLab {
  /** Node parses to reuse (only those of the last check are kept). */
  readonly memo = new ParseMemo();
  /** namespace -> the resolv.conf its link was last made to point at, by this process. */
  readonly resolv = new Map<string, string>();
  #journal: { state: JournalState; mark: JournalMark } | undefined;
  #last: { readonly key: string; readonly desired: readonly Resource[] } | undefined;
  #pending: NodeJS.Timeout | undefined;
  #pendingWork: (() => void) | undefined;

  #lab: string | undefined;
  /** Where the journal ended when this process's last up of the lab finished. */
  #settled: JournalMark | undefined;
  #untouched = false;

  constructor(readonly root: StateRoot) {}

  /**
   * The lab's journal as it is now (read in full the first time, then only what was appended).
   * Another lab's (a watched file renamed its lab) starts afresh.
   */
  journal(lab: string): JournalState {
    if (lab !== this.#lab) {
      this.discard();
      this.reset();
      this.#lab = lab;
    }
    assertStateReadable(this.root);
    this.#journal = readJournalSince(this.root, labPaths(this.root, lab).journal, this.#journal);
    this.#untouched = this.#settled !== undefined && sameMark(this.#settled, this.#journal.mark);
    return this.#journal.state;
  }

  /**
   * Whether the journal, as journal() read it last, ends where this process's last up of the lab
   * left it: no other command changed the lab since (each records what it does there first).
   */
  untouched(): boolean {
    return this.#untouched;
  }

  /** This process's up of the lab finished: remember where the journal ends now (its own records read). */
  settled(lab: string): void {
    this.journal(lab);
    this.#settled = this.#journal?.mark;
  }

  /**
   * The desired resources of the text the journal says the lab converged to, when that text is
   * the one this process applied last (else undefined: the caller loads that text's model).
   */
  previous(journal: JournalState): readonly Resource[] | undefined {
    return this.#last !== undefined && journal.converged === this.#last.key ? this.#last.desired : undefined;
  }

  /** The lab converged to the text with this key, whose resources are these. */
  converged(key: string, desired: readonly Resource[]): void {
    this.#last = { key, desired };
  }

  /**
   * Run `work` once the lab has been left alone for IDLE_MS (a later call replaces work not yet
   * run, and waits again); it never keeps the process alive. For what only speeds up other
   * processes' commands (the model cache file): run in the middle of the next change, it would
   * cost that change as much as the rest of it.
   */
  later(work: () => void): void {
    this.#pendingWork = work;
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = setTimeout(() => this.flush(), IDLE_MS).unref();
  }

  /** Run the deferred work now (before the lab's state is removed, or the process ends). */
  flush(): void {
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = undefined;
    const work = this.#pendingWork;
    this.#pendingWork = undefined;
    try {
      work?.();
    } catch {
      // Only a speed-up for later commands (which do without it) failed: the lab is as it was.
    }
  }

  /** Drop deferred work without running it (the lab is going down). */
  discard(): void {
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = undefined;
    this.#pendingWork = undefined;
  }

  /** Forget everything but the node parses (the lab may have been changed by someone else). */
  reset(): void {
    this.#journal = undefined;
    this.#last = undefined;
    this.#settled = undefined;
    this.#untouched = false;
    this.resolv.clear();
  }
}
