// The namespaces this Kernel has touched: for each, an open namespace fd (for setns and
// IFLA_NET_NS_FD), a lazily opened netlink socket created inside it, and a cache of link
// name -> ifindex. One socket per namespace, kept until close(); nothing is opened per operation.
import * as fs from 'node:fs';
import * as libc from './libc.js';
import { netnsPath, openNetns, withNetns } from './netns.js';
import { HOST_NS, type NsRef } from '../port/kernel.js';
import { RtnlSocket } from './rtnl/socket.js';

/** Requests for op number `at` of a run(), to be sent in this namespace. */
export interface Deferred {
  readonly at: number;
  readonly msgs: Buffer[];
  readonly label: string;
}

/** One namespace's handles. */
export class NsHandle {
  /** Link name -> ifindex, as far as known (filled by creations, lookups and dumps). */
  readonly index = new Map<string, number>();
  /** Requests other namespaces' ops left for this one (a veth peer's settings), sent first. */
  readonly deferred: Deferred[] = [];
  private socket: RtnlSocket | undefined;

  constructor(
    readonly ref: NsRef,
    readonly fd: number,
    private readonly home: number,
    sock?: RtnlSocket,
  ) {
    this.socket = sock;
  }

  /** The namespace's netlink socket, created inside it on first use. */
  get sock(): RtnlSocket {
    this.socket ??= withNetns(this.fd, this.home, () => RtnlSocket.open());
    return this.socket;
  }

  /** Close the socket and the fd (the fd only if it is not shared with the home namespace). */
  close(): void {
    this.socket?.close();
    this.socket = undefined;
    if (this.fd !== this.home) libc.close(this.fd);
  }
}

/** Handles by namespace reference; HOST_NS is always present. */
export class NsTable {
  private readonly byRef = new Map<NsRef, NsHandle>();

  constructor(
    /** fd of the namespace the process started in: every switch returns here. */
    readonly home: number,
    host: NsHandle,
  ) {
    this.byRef.set(HOST_NS, host);
  }

  /** The handle of a namespace, opening /run/netns/NAME on first use (throws ENOENT if absent). */
  get(ref: NsRef): NsHandle {
    let h = this.byRef.get(ref);
    if (!h) {
      h = new NsHandle(ref, openNetns(ref), this.home);
      this.byRef.set(ref, h);
    }
    return h;
  }

  /** The handle if it is already open (never opens one). */
  peek(ref: NsRef): NsHandle | undefined {
    return this.byRef.get(ref);
  }

  /**
   * The handle if the namespace exists now; drops a cached handle whose /run/netns file is gone
   * (deleted behind our back), so a namespace re-created under the same name is not confused with it.
   */
  find(ref: NsRef): NsHandle | undefined {
    if (ref !== HOST_NS && !fs.existsSync(netnsPath(ref))) {
      this.drop(ref);
      return undefined;
    }
    return this.get(ref);
  }

  /** Register the handles of a namespace this process just created. */
  adopt(ref: NsRef, fd: number, sock: RtnlSocket): NsHandle {
    this.drop(ref);
    const h = new NsHandle(ref, fd, this.home, sock);
    this.byRef.set(ref, h);
    return h;
  }

  /** Forget a namespace and close its handles. */
  drop(ref: NsRef): void {
    if (ref === HOST_NS) return;
    this.byRef.get(ref)?.close();
    this.byRef.delete(ref);
  }

  /**
   * Forget every cached ifindex. Deleting a link or a namespace can remove links elsewhere
   * (a veth's peer goes with it), so after a delete no cached name can be trusted.
   */
  forgetIndexes(): void {
    for (const h of this.byRef.values()) h.index.clear();
  }

  /** Open handles that still have deferred requests. */
  withDeferred(): NsHandle[] {
    return [...this.byRef.values()].filter((h) => h.deferred.length > 0);
  }

  /** Close everything, the host handle and the home fd included. */
  closeAll(): void {
    for (const h of this.byRef.values()) h.close();
    this.byRef.clear();
    libc.close(this.home);
  }
}
