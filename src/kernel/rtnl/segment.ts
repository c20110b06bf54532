// Runs a run of adjacent rtnetlink ops on one namespace as few round trips as possible: one
// batched RTM_GETLINK for the names it needs as ifindexes, then all requests in one send.
// It sends early only when it must: a needed name is created (without an explicit index) by a
// request still unsent, or an op has follow-ups that may only go out if its creation succeeded.
import { failureFromErrno, failureOf } from '../errors.js';
import type { NsHandle, NsTable } from '../ns-table.js';
import type { OpResult } from '../../port/kernel.js';
import { createdLinks, encodeOp, neededNames, refusalIsDone, type OpMessages, type RtnlOp } from '../../netlink/requests.js';
import { psched } from '../psched.js';
import { decodeLink, encodeLinkGet } from '../../netlink/wire-link.js';

/** Requests of one op waiting to be sent; `at` indexes the results of the whole run(). */
interface Pending {
  readonly at: number;
  readonly msgs: Buffer[];
  readonly stage: 'now' | 'after';
  readonly label: string;
  readonly next?: OpMessages;
}

const OK: OpResult = { ok: true };

/**
 * Run `ops` (all on `h`'s namespace), writing each result to results[base + i]. Requests
 * deferred to this namespace by earlier ops (a veth peer's settings) go out first.
 */
export function runSegment(table: NsTable, h: NsHandle, ops: readonly RtnlOp[], results: OpResult[], base: number): void {
  new Segment(table, h, ops, results, base).run();
}

class Segment {
  private pending: Pending[] = [];
  /** Names created by requests not yet sent. */
  private readonly createdPending = new Set<string>();
  /** Names a lookup found absent (so they are not looked up again for every op). */
  private readonly absent = new Set<string>();

  constructor(
    private readonly table: NsTable,
    private readonly h: NsHandle,
    private readonly ops: readonly RtnlOp[],
    private readonly results: OpResult[],
    private readonly base: number,
  ) {}

  run(): void {
    try {
      for (const d of this.h.deferred.splice(0)) this.pending.push({ ...d, stage: 'after' });
      this.prefetch();
      for (let i = 0; i < this.ops.length; i++) this.add(i);
      this.drain();
      for (let i = 0; i < this.ops.length; i++) this.results[this.base + i] ??= OK;
    } catch (e) {
      // The socket itself failed (timeout, namespace gone): ops without an answer share the error.
      const f = failureOf(e, 'netlink');
      for (let i = 0; i < this.ops.length; i++) this.results[this.base + i] ??= f;
    }
  }

  /** One batched lookup for every needed name neither cached nor created earlier in the run. */
  private prefetch(): void {
    const known = new Set(this.h.index.keys());
    const missing = new Set<string>();
    for (const op of this.ops) {
      for (const n of neededNames(op)) if (!known.has(n)) missing.add(n);
      for (const c of createdLinks(op)) if (c.ns === this.h.ref) known.add(c.name);
    }
    this.lookup([...missing]);
  }

  /** `ip link show NAME` for each name, in one send; fills the cache or marks names absent. */
  private lookup(names: readonly string[]): void {
    if (names.length === 0) return;
    const res = this.h.sock.batch(names.map(encodeLinkGet));
    for (const [i, r] of res.entries()) {
      const link = r.replies.map(decodeLink).find((l) => l !== undefined);
      if (link) this.h.index.set(link.name, link.index);
      else this.absent.add(names[i] ?? '');
    }
  }

  private add(i: number): void {
    const op = this.ops[i];
    if (!op) return;
    const at = this.base + i;
    const need = neededNames(op);
    if (need.some((n) => !this.h.index.has(n) && this.createdPending.has(n))) this.drain();
    this.lookup(need.filter((n) => !this.h.index.has(n) && !this.absent.has(n)));
    let enc: ReturnType<typeof encodeOp>;
    try {
      const ctx = { index: (name: string) => this.h.index.get(name), nsFd: (ns: string) => this.table.get(ns).fd };
      enc = encodeOp(op, op.op === 'qdisc.replace' ? { ...ctx, psched: psched() } : ctx);
    } catch (e) {
      // Only the peer's namespace is opened while encoding: say which one is missing.
      this.results[at] = failureOf(e, op.op === 'link.create' && op.kind === 'veth' ? `netns ${op.peer.ns}` : op.op);
      return;
    }
    if ('errno' in enc) {
      this.results[at] = refusalIsDone(op, enc.errno) ? { ok: true } : { ok: false, ...enc };
      return;
    }
    this.noteCreated(op);
    const label = 'name' in op ? op.name : op.op;
    if (enc.via !== undefined) {
      this.sendVia(at, enc.via, enc, label);
      return;
    }
    this.pending.push({ at, msgs: enc.now, stage: 'now', label, next: enc });
    // Follow-ups go out only if the creation succeeded (after EEXIST they would change someone
    // else's link), so the creation is sent now; its follow-ups ride with the next requests.
    if (enc.after.length > 0 || enc.peerAfter) this.send();
  }

  /** Cache explicit ifindexes of links being created; forget stale entries for the others. */
  private noteCreated(op: RtnlOp): void {
    for (const c of createdLinks(op)) {
      const h = c.ns === this.h.ref ? this.h : this.table.peek(c.ns);
      if (c.ns === this.h.ref) {
        this.createdPending.add(c.name);
        this.absent.delete(c.name);
      }
      if (c.index !== undefined) h?.index.set(c.name, c.index);
      else h?.index.delete(c.name);
    }
  }

  /**
   * A creation that must come from another namespace (a node's vxlan end, whose UDP socket is the
   * host's): what is pending here goes first, then the creation on that namespace's socket; its
   * follow-ups are this namespace's, as any op's.
   */
  private sendVia(at: number, via: string, enc: OpMessages, label: string): void {
    this.drain();
    const res = this.table.get(via).sock.batch(enc.now);
    const bad = res.find((r) => r.errno !== 0);
    const p: Pending = { at, msgs: enc.now, stage: 'now', label, next: enc };
    if (bad) this.failed(p, failureFromErrno(bad.errno, bad.message));
    else this.succeeded(p);
  }

  /** Send until nothing is pending (follow-ups included). */
  private drain(): void {
    while (this.pending.length > 0) this.send();
    this.createdPending.clear();
  }

  /** One send of everything pending; follow-ups of successful creations become pending. */
  private send(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const res = this.h.sock.batch(batch.flatMap((p) => p.msgs));
    let k = 0;
    for (const p of batch) {
      const op = p.stage === 'now' ? this.ops[p.at - this.base] : undefined;
      const bad = res.slice(k, k + p.msgs.length).find((r) => r.errno !== 0 && !(op && refusalIsDone(op, r.errno)));
      k += p.msgs.length;
      if (bad) this.failed(p, failureFromErrno(bad.errno, bad.message));
      else this.succeeded(p);
    }
  }

  private failed(p: Pending, f: Extract<OpResult, { ok: false }>): void {
    // A follow-up runs only after its creation succeeded: the object exists, say so.
    this.results[p.at] = p.stage === 'after' ? { ...f, message: `after creating ${p.label}: ${f.message}`, created: true } : f;
    const op = this.ops[p.at - this.base];
    if (p.stage === 'now' && op) {
      for (const c of createdLinks(op)) (c.ns === this.h.ref ? this.h : this.table.peek(c.ns))?.index.delete(c.name);
    }
  }

  private succeeded(p: Pending): void {
    const next = p.next;
    if (next?.peerAfter) {
      const peer = next.peerAfter;
      this.table.get(peer.ns).deferred.push({ at: p.at, msgs: peer.msgs, label: `${p.label}'s peer` });
    }
    if (next && next.after.length > 0) {
      this.pending.push({ at: p.at, msgs: next.after, stage: 'after', label: p.label });
      return;
    }
    this.results[p.at] ??= OK;
    // A deleted link may take its veth peer with it, in any namespace: trust no cached index.
    if (this.ops[p.at - this.base]?.op === 'link.delete' && p.stage === 'now') this.table.forgetIndexes();
  }
}
