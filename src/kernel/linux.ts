// The real Kernel: rtnetlink over one socket per namespace (koffi, no process spawned), named
// namespaces made like `ip netns add`, sysctls through /proc/sys while switched in.
// run() groups adjacent ops on one namespace into batches (rtnl/segment.ts); everything else runs
// inline, in order. Failures are results; only failing to open the kernel at all throws.
import { describeOp } from '../ops/describe.js';
import { explainFailure, failureOf, kernelErrorOf, type OpFailure } from './errors.js';
import { linkNetnsHosts, unlinkNetnsHosts } from './files.js';
import { needNft, nftListTable, nftMissing, nftErrno, nftRun, nftTables } from './nft/nft.js';
import * as libc from './libc.js';
import { attachNetns, createNetns, deleteGroup, deleteNetns, groupMembers, listNetns, openCurrentNetns, openNetns, withNetns } from './netns.js';
import { NsHandle, NsTable } from './ns-table.js';
import type { NetnsPool } from './netns-pool.js';
import {
  HOST_NS,
  KernelError,
  type Kernel,
  type KernelOp,
  type LiveLink,
  type NeighPin,
  type NsRef,
  type NsSnapshot,
  type OpResult,
  type RouteAnswer,
  type RouteQuery,
  type SnapshotWhat,
} from '../port/kernel.js';
import { isRtnlOp, type RtnlOp } from '../netlink/requests.js';
import { routeGetIn } from './route-get.js';
import { routeGetCommand } from '../ops/describe.js';
import { runSegment } from './rtnl/segment.js';
import { disablePortIpv6 } from './port-ipv6.js';
import { RtnlSocket } from './rtnl/socket.js';
import { dumpLinks, flushNeighbours, linkMacs, namedLinks, snapshotNs } from './snapshot.js';
import { pinNeighbours, unpinNeighbours } from './neigh-pins.js';
import { sysctlGet, sysctlSet } from './sysctl.js';

/** Options of openLinuxKernel. */
export interface LinuxKernelOptions {
  /** Play the host in /run/netns/NAME instead of the namespace nslab started in (--host-netns). */
  readonly hostNetns?: string;
  /** Longest wait for any kernel answer, in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** Empty namespaces made ahead (netns-pool.ts), named by netns.create instead of making new ones. */
  readonly netnsPool?: NetnsPool;
  /** Run the nft program instead of libnftables in-process (NSLAB_NFT_CLI=1, read by the CLI). */
  readonly nftCli?: boolean;
}

const OK: OpResult = { ok: true };
type SysctlOp = Extract<KernelOp, { op: 'sysctl.set' }>;
type NetnsDeleteOp = Extract<KernelOp, { op: 'netns.delete' }>;

/**
 * Open the kernel for nslab: checks privileges, opens the host namespace and its netlink socket.
 * Throws KernelError (EPERM when not root, ENOENT when --host-netns names no namespace).
 */
export function openLinuxKernel(opts: LinuxKernelOptions = {}): Kernel {
  let home: number;
  try {
    home = openCurrentNetns();
  } catch (e) {
    throw kernelErrorOf(e, 'open', 'ls -l /proc/thread-self/ns/net', 'nslab needs /proc mounted');
  }
  try {
    // A no-op switch into our own namespace: the cheapest definitive privilege check.
    libc.setns(home, libc.CLONE_NEWNET);
    return new LinuxKernel(new NsTable(home, openHost(home, opts)), opts);
  } catch (e) {
    libc.close(home);
    if (e instanceof KernelError) throw e;
    throw kernelErrorOf(e, 'open', 'nsenter --net=/proc/self/ns/net true', 'nslab needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN): run it with sudo');
  }
}

function openHost(home: number, opts: LinuxKernelOptions): NsHandle {
  const name = opts.hostNetns;
  const sockOpts = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
  if (name === undefined) return new NsHandle(HOST_NS, home, home, RtnlSocket.open(sockOpts));
  let fd: number;
  try {
    fd = openNetns(name);
  } catch (e) {
    const hint = `network namespace "${name}" (--host-netns) does not exist: create it with "ip netns add ${name}" or leave the option out`;
    throw kernelErrorOf(e, 'open', `ip netns exec ${name} true`, hint);
  }
  return new NsHandle(
    HOST_NS,
    fd,
    home,
    withNetns(fd, home, () => RtnlSocket.open(sockOpts)),
  );
}

class LinuxKernel implements Kernel {
  private closed = false;

  constructor(
    private readonly table: NsTable,
    private readonly opts: LinuxKernelOptions,
  ) {}

  run(ops: readonly KernelOp[]): OpResult[] {
    this.assertOpen();
    const out = new Array<OpResult>(ops.length);
    let i = 0;
    while (i < ops.length) {
      const op = ops[i] as KernelOp;
      const j = groupEnd(ops, i);
      if (isRtnlOp(op)) this.runRtnl(op.ns, ops.slice(i, j) as RtnlOp[], out, i);
      else if (op.op === 'sysctl.set') out.splice(i, j - i, ...this.runSysctl(op.ns, ops.slice(i, j) as SysctlOp[]));
      else if (op.op === 'nft.load' || op.op === 'nft.delete') out[i] = this.runNft(op);
      else if (op.op === 'netns.delete' && op.group !== undefined && j - i > 1)
        out.splice(i, j - i, ...this.deleteGrouped(op.group, ops.slice(i, j) as NetnsDeleteOp[]));
      else out[i] = this.runNetns(op);
      i = j;
    }
    // Peer settings left for namespaces no later op touched go out now, before returning.
    for (const h of this.table.withDeferred()) runSegment(this.table, h, [], out, 0);
    // A refusal that means the kernel lacks the feature says which (kernel/missing.ts).
    return out.map((r, k) => explainFailure(ops[k] as KernelOp, r));
  }

  netnsList(vouched?: (name: string) => boolean): string[] {
    return listNetns(vouched);
  }

  snapshot(ns: NsRef, what: SnapshotWhat = {}): NsSnapshot | undefined {
    const cmd = `ip -d link show; ip addr; ip route${what.qdiscs ? '; tc qdisc show' : ''}`;
    return this.read(ns, 'snapshot', cmd, (h) => snapshotNs(h, what));
  }

  linkMacs(ns: NsRef, names: readonly string[]): Map<string, string> | undefined {
    return this.read(ns, 'linkMacs', `ip link show ${names.join(',')}`, (h) => linkMacs(h, names));
  }

  linkNames(ns: NsRef): Set<string> | undefined {
    return this.read(ns, 'linkNames', 'ip link show', (h) => new Set(dumpLinks(h).map((l) => l.name)));
  }

  links(ns: NsRef, names: readonly string[]): LiveLink[] | undefined {
    return this.read(ns, 'links', names.map((n) => `ip link show ${n}`).join('; '), (h) => namedLinks(h, names));
  }

  sysctlGet(ns: NsRef, key: string): string | undefined {
    return this.read(ns, 'sysctlGet', `sysctl -n ${key}`, (h) => sysctlGet(h.fd, this.table.home, [key])[0]);
  }

  nftMissing(): string | undefined {
    return nftMissing(this.opts.nftCli === true);
  }

  nftList(ns: NsRef, table: string): string | undefined {
    needNft(this.opts.nftCli === true);
    return this.read(ns, 'nftList', `nft list table inet ${table}`, (h) => nftListTable(h.fd, this.table.home, 'inet', table, this.opts.nftCli === true));
  }

  nftTables(ns: NsRef): Array<{ family: string; name: string }> | undefined {
    needNft(this.opts.nftCli === true);
    return this.read(ns, 'nftTables', 'nft list tables', (h) => nftTables(h.fd, this.table.home, this.opts.nftCli === true));
  }

  neighFlush(ns: NsRef, devs?: readonly string[]): number {
    const n = this.read(ns, 'neighFlush', devs ? `ip neigh flush dev ${devs.join(',')}` : 'ip neigh flush all', (h) => flushNeighbours(h, devs)) ?? 0;
    return n;
  }

  neighPin(ns: NsRef, pins: readonly NeighPin[]): boolean[] {
    if (pins.length === 0) return [];
    return this.read(ns, 'neighPin', 'ip neigh add ADDR lladdr MAC dev DEV nud permanent', (h) => pinNeighbours(h, pins)) ?? pins.map(() => false);
  }

  neighUnpin(ns: NsRef, pins: readonly NeighPin[]): number {
    if (pins.length === 0) return 0;
    return this.read(ns, 'neighUnpin', 'ip neigh del ADDR dev DEV', (h) => unpinNeighbours(h, pins)) ?? 0;
  }

  routeGet(ns: NsRef, q: RouteQuery): RouteAnswer | undefined {
    return this.read(ns, 'routeGet', routeGetCommand(q), (h) => routeGetIn(h, q));
  }

  hostsLink(netns: string, target: string, ownedRoot: string, file: 'hosts' | 'resolv.conf' = 'hosts'): 'linked' | 'unchanged' | 'foreign' {
    return linkNetnsHosts(netns, target, ownedRoot, file);
  }

  hostsUnlink(netns: string, ownedRoot: string): void {
    unlinkNetnsHosts(netns, ownedRoot);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.netnsPool?.dispose();
    this.table.closeAll();
  }

  /** A read of one namespace: undefined when it does not exist, KernelError when reading fails. */
  private read<T>(ns: NsRef, op: string, cmd: string, fn: (h: NsHandle) => T): T | undefined {
    this.assertOpen();
    const prefix = ns === HOST_NS ? (this.opts.hostNetns !== undefined ? `ip netns exec ${this.opts.hostNetns} ` : '') : `ip netns exec ${ns} `;
    try {
      const h = this.table.find(ns);
      return h ? fn(h) : undefined;
    } catch (e) {
      throw kernelErrorOf(e, op, `${prefix}${cmd}`, `reading network namespace ${ns} failed`);
    }
  }

  private runRtnl(ns: NsRef, ops: readonly RtnlOp[], out: OpResult[], base: number): void {
    let h: NsHandle;
    try {
      h = this.table.get(ns);
      void h.sock; // open the socket here, so a failure is reported as the namespace's
      // Before the ports join (and come up): see port-ipv6.ts.
      disablePortIpv6(h.fd, this.table.home, ops);
    } catch (e) {
      const f = nsFailure(e, ns);
      ops.forEach((_, k) => (out[base + k] = f));
      return;
    }
    runSegment(this.table, h, ops, out, base);
  }

  private runSysctl(ns: NsRef, ops: readonly SysctlOp[]): OpResult[] {
    try {
      const h = this.table.get(ns);
      const res = sysctlSet(h.fd, this.table.home, ops);
      return res.map((err, k) => (err ? failureOf(err, `sysctl ${ops[k]?.key ?? ''}`) : OK));
    } catch (e) {
      const f = nsFailure(e, ns);
      return ops.map(() => f);
    }
  }

  private runNft(op: Extract<KernelOp, { op: `nft.${string}` }>): OpResult {
    try {
      const h = this.table.get(op.ns);
      // The delete script creates the table first, so a missing table is not an error.
      const script = op.op === 'nft.load' ? op.script : `table inet ${op.table} { }\ndelete table inet ${op.table}\n`;
      const r = nftRun(h.fd, this.table.home, script, this.opts.nftCli === true);
      if (r.ok) return OK;
      // nft's text says what the kernel refused; the errno is read back from it (EINVAL for script errors).
      return { ok: false, ...nftErrno(r.message), message: r.message };
    } catch (e) {
      return nsFailure(e, op.ns);
    }
  }

  private runNetns(op: Extract<KernelOp, { op: `netns.${string}` }>): OpResult {
    try {
      if (op.op === 'netns.create') {
        const premade = this.opts.netnsPool?.take();
        try {
          const { fd, sock } = createNetns(op.name, this.table.home, openInside, op.group, premade);
          this.table.adopt(op.name, fd, sock);
        } finally {
          if (premade !== undefined) libc.close(premade);
        }
      } else if (op.op === 'netns.attach') {
        attachNetns(op.name, op.pid);
      } else if (op.op === 'netns.detach') {
        // The same unmount and unlink as delete; the process holding the namespace keeps it.
        this.table.drop(op.name);
        deleteNetns(op.name);
      } else {
        this.table.drop(op.name);
        deleteNetns(op.name, op.group);
        this.table.forgetIndexes(); // its veths took their peers elsewhere with them
      }
      return OK;
    } catch (e) {
      return failureOf(e, describeOp(op, this.opts));
    }
  }

  /**
   * Several namespaces of one group deleted together: when they are all the group has, one umount
   * of the group's directory detaches them all (the fast teardown); otherwise one by one.
   */
  private deleteGrouped(group: string, ops: readonly NetnsDeleteOp[]): OpResult[] {
    const names = new Set(ops.map((o) => o.name));
    if (!groupMembers(group).every((m) => names.has(m))) return ops.map((o) => this.runNetns(o));
    for (const o of ops) this.table.drop(o.name);
    this.table.forgetIndexes();
    try {
      deleteGroup(group, [...names]);
      return ops.map(() => OK);
    } catch (e) {
      const f = failureOf(e, `umount ${group} namespaces`);
      return ops.map(() => f);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Kernel used after close()');
  }
}

/** Inside a namespace just created: its netlink socket and an fd for it. */
function openInside(): { fd: number; sock: RtnlSocket } {
  const sock = RtnlSocket.open();
  try {
    return { fd: openCurrentNetns(), sock };
  } catch (e) {
    sock.close();
    throw e;
  }
}

/** End of the group starting at i: adjacent ops of the same batchable kind on the same namespace. */
function groupEnd(ops: readonly KernelOp[], i: number): number {
  const first = ops[i] as KernelOp;
  const kind = (op: KernelOp): string =>
    isRtnlOp(op)
      ? `rtnl ${op.ns}`
      : op.op === 'sysctl.set'
        ? `sysctl ${op.ns}`
        : op.op === 'netns.delete' && op.group !== undefined
          ? `netns.delete ${op.group}`
          : '';
  const k = kind(first);
  let j = i + 1;
  if (k === '') return j;
  while (j < ops.length && kind(ops[j] as KernelOp) === k) j++;
  return j;
}

/** The failure for every op of a namespace that cannot be opened, in iproute2's words. */
function nsFailure(e: unknown, ns: NsRef): OpFailure {
  return failureOf(e, `Cannot open network namespace "${ns}"`);
}
