// IPv6 switched off on bridge ports before they join their bridge. A port's own IPv6 is never
// used (frames it carries are the bridge's), but with IPv6 on, bringing it up adds a multicast
// route (ff00::/8) per port to the host namespace's one IPv6 table, and taking it down walks that
// whole table (rt6_sync_down_dev -> fib6_clean_all): O(ports) per port, building and tearing
// down, measured at ~10% of the kernel's teardown work at 1000 ports and growing with the square.
// addr_gen_mode none (the op's ipv6:false, sent by netlink) only stops the link-local address;
// disable_ipv6 stops the rest, and exists only as a sysctl. Best effort: a kernel without IPv6
// (no such key) or a link that is not there yet (its netlink request then says so) changes
// nothing here.
import type { RtnlOp } from '../netlink/requests.js';
import { sysctlSet } from './sysctl.js';

/** Ports in `ops` that join a bridge with ipv6:false: the disable_ipv6 writes they need. */
export function portIpv6Off(ops: readonly RtnlOp[]): { key: string; value: string }[] {
  return ops.flatMap((op) =>
    op.op === 'link.set' && op.master !== undefined && op.ipv6 === false ? [{ key: `net/ipv6/conf/${op.name}/disable_ipv6`, value: '1' }] : [],
  );
}

/** Write them inside the namespace `fd` (one switch for the lot); failures are ignored (see above). */
export function disablePortIpv6(fd: number, home: number, ops: readonly RtnlOp[]): void {
  const keys = portIpv6Off(ops);
  if (keys.length > 0) sysctlSet(fd, home, keys);
}
