// The iproute2 (or sysctl) command line a human would type for a kernel operation: used in
// KernelError.equivalent and in messages, so a failure can be reproduced by hand. Pure text.
import { assertNever } from '../util/assert-never.js';
import { HOST_NS, type KernelOp, type NsRef, type QdiscSpec, type RouteQuery } from '../port/kernel.js';

/** How the host namespace is named on a command line: root namespace, or --host-netns NAME. */
export interface DescribeContext {
  readonly hostNetns?: string;
}

/** `ip` plus `-n NS` unless NS is the root host. */
function ip(ns: NsRef, ctx: DescribeContext): string {
  const name = ns === HOST_NS ? ctx.hostNetns : ns;
  return name === undefined ? 'ip' : `ip -n ${name}`;
}

/** The namespace word for `netns X` (the root host is PID 1's namespace: `netns 1`). */
function netnsArg(ns: NsRef, ctx: DescribeContext): string {
  return ns === HOST_NS ? (ctx.hostNetns ?? '1') : ns;
}

const quote = (s: string): string => (/^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s));

/** The iproute2 command(s) equivalent to one operation, e.g. "ip -n lab-a link add eth0 ...". */
export function describeOp(op: KernelOp, ctx: DescribeContext = {}): string {
  switch (op.op) {
    case 'netns.create':
      return `ip netns add ${op.name}`;
    case 'netns.delete':
      return `ip netns delete ${op.name}`;
    case 'netns.attach':
      return `ip netns attach ${op.name} ${op.pid}`;
    case 'netns.detach':
      return `umount /run/netns/${op.name} && rm /run/netns/${op.name}`;
    case 'link.create':
      return describeCreate(op, ctx);
    case 'link.set': {
      const parts = [`${ip(op.ns, ctx)} link set ${op.name}`];
      if (op.master !== undefined) parts.push(`master ${op.master}`);
      if (op.alias !== undefined) parts.push(`alias ${quote(op.alias)}`);
      if (op.ipv6 === false) parts.push('addrgenmode none');
      if (op.up !== undefined) parts.push(op.up ? 'up' : 'down');
      return parts.join(' ');
    }
    case 'link.delete':
      return `${ip(op.ns, ctx)} link del ${op.name}`;
    case 'addr.add':
    case 'addr.delete': {
      const verb = op.op === 'addr.add' ? 'add' : 'del';
      const nodad = op.op === 'addr.add' && op.cidr.includes(':') ? ' nodad' : '';
      return `${ip(op.ns, ctx)} addr ${verb} ${op.cidr} dev ${op.dev}${nodad}`;
    }
    case 'route.add':
    case 'route.delete': {
      const verb = op.op === 'route.add' ? 'add' : 'del';
      const via = op.via !== undefined ? ` via ${op.via}` : '';
      const dev = op.dev !== undefined ? ` dev ${op.dev}` : '';
      const proto = op.op === 'route.add' ? ' proto static' : '';
      // The default routes read as iproute2 users write them; IPv6 needs -6 to say which default.
      const to = op.to === '0.0.0.0/0' || op.to === '::/0' ? 'default' : op.to;
      const v6 = op.to === '::/0' ? ' -6' : '';
      return `${ip(op.ns, ctx)}${v6} route ${verb} ${to}${via}${dev}${proto}`;
    }
    case 'sysctl.set': {
      const name = op.ns === HOST_NS ? ctx.hostNetns : op.ns;
      const prefix = name === undefined ? '' : `ip netns exec ${name} `;
      return `${prefix}sysctl -w ${op.key}=${quote(op.value)}`;
    }
    case 'nft.load':
    case 'nft.delete': {
      const name = op.ns === HOST_NS ? ctx.hostNetns : op.ns;
      const prefix = name === undefined ? '' : `ip netns exec ${name} `;
      return op.op === 'nft.load' ? `${prefix}nft -f - <<< '<table inet ${op.table}>'` : `${prefix}nft delete table inet ${op.table}`;
    }
    case 'qdisc.replace':
      return `${tc(op.ns, ctx)} qdisc replace dev ${op.dev} root ${qdiscArgs(op.qdisc)}`;
    case 'qdisc.delete':
      return `${tc(op.ns, ctx)} qdisc del dev ${op.dev} root`;
    case 'fdb.append':
    case 'fdb.delete': {
      const name = op.ns === HOST_NS ? ctx.hostNetns : op.ns;
      const verb = op.op === 'fdb.append' ? 'append' : 'del';
      return `bridge${name === undefined ? '' : ` -n ${name}`} fdb ${verb} 00:00:00:00:00:00 dev ${op.dev} dst ${op.dst}`;
    }
    default:
      return assertNever(op);
  }
}

/** `tc` plus `-n NS` unless NS is the root host. */
function tc(ns: NsRef, ctx: DescribeContext): string {
  const name = ns === HOST_NS ? ctx.hostNetns : ns;
  return name === undefined ? 'tc' : `tc -n ${name}`;
}

/** tc's words for a qdisc: `tbf rate 10mbit burst 4096 latency 50ms`, `netem delay 20ms 5ms loss 10% ...`. */
export function qdiscArgs(q: QdiscSpec): string {
  if (q.kind === 'tbf') {
    const bound = q.limit !== undefined ? `limit ${q.limit}` : `latency ${time(q.latencyUs ?? 0)}`;
    return `tbf rate ${rate(q.rate)} burst ${q.burst} ${bound}`;
  }
  const parts = ['netem'];
  if (q.delayUs || q.jitterUs) parts.push(`delay ${time(q.delayUs ?? 0)}${q.jitterUs ? ` ${time(q.jitterUs)}` : ''}`);
  const pct = (word: string, v: number | undefined): void => {
    if (v) parts.push(`${word} ${v}%`);
  };
  pct('loss', q.lossPct);
  pct('corrupt', q.corruptPct);
  pct('duplicate', q.duplicatePct);
  pct('reorder', q.reorderPct);
  if (q.limit !== undefined) parts.push(`limit ${q.limit}`);
  if (q.rate) parts.push(`rate ${rate(q.rate)}`);
  return parts.join(' ');
}

/** Microseconds as tc reads them: "50ms" when whole milliseconds, else "1500us". */
function time(us: number): string {
  return us % 1000 === 0 && us > 0 ? `${us / 1000}ms` : `${us}us`;
}

/** Bytes per second as tc's bits: "10mbit", "64kbit", "1500bit" (tc's k and m are decimal for rates). */
function rate(bytesPerSec: number): string {
  const bits = bytesPerSec * 8;
  if (bits % 1_000_000_000 === 0) return `${bits / 1_000_000_000}gbit`;
  if (bits % 1_000_000 === 0) return `${bits / 1_000_000}mbit`;
  if (bits % 1000 === 0) return `${bits / 1000}kbit`;
  return `${bits}bit`;
}

function describeCreate(op: Extract<KernelOp, { op: 'link.create' }>, ctx: DescribeContext): string {
  const base = ip(op.ns, ctx);
  const after: string[] = [];
  if (op.kind !== 'veth' && op.alias !== undefined) after.push(`alias ${quote(op.alias)}`);
  if (!op.ipv6) after.push('addrgenmode none');
  // With addrgenmode none the link must come up after it is set (see netlink/requests.ts).
  const upLater = op.up && !op.ipv6;
  if (upLater) after.push('up');
  const up = op.up && !upLater ? ' up' : '';
  const then = after.length > 0 ? ` && ${base} link set ${op.name} ${after.join(' ')}` : '';
  if (op.kind === 'bridge') return `${base} link add ${op.name}${up} type bridge mcast_snooping 0${then}`;
  const opt = (k: string, v: number | string | undefined): string => (v === undefined ? '' : ` ${k} ${v}`);
  if (op.kind === 'vxlan') {
    const where = `${opt('remote', op.remote)}${opt('local', op.local)}${opt('dev', op.dev)}`;
    if (op.underlay !== undefined && op.underlay !== op.ns) {
      // Sent from the underlay's namespace, the device made in the node's (link-netns shows it).
      const sets = [...after.filter((a) => a !== 'up'), ...(op.up ? ['up'] : [])];
      const follow = sets.length > 0 ? ` && ${base} link set ${op.name} ${sets.join(' ')}` : '';
      return `${ip(op.underlay, ctx)} link add ${op.name} netns ${netnsArg(op.ns, ctx)}${opt('mtu', op.mtu)}${opt('address', op.mac)} type vxlan id ${op.vni}${where} dstport ${op.port} nolearning udpcsum${follow}`;
    }
    return `${base} link add ${op.name}${opt('mtu', op.mtu)}${up} type vxlan id ${op.vni}${where} dstport ${op.port} nolearning udpcsum${then}`;
  }
  const peer = `peer name ${op.peer.name}${opt('index', op.peer.index)}${opt('mtu', op.peer.mtu)}`;
  const netns = op.peer.ns === op.ns ? '' : ` netns ${netnsArg(op.peer.ns, ctx)}`;
  return `${base} link add ${op.name}${opt('index', op.index)}${opt('mtu', op.mtu)}${opt('address', op.mac)}${up} type veth ${peer}${netns}${then}`;
}

/** The iproute2 command for a route lookup, for messages. */
export function routeGetCommand(q: RouteQuery): string {
  const parts = ['ip route get', q.dst];
  if (q.src !== undefined) parts.push('from', q.src);
  if (q.iif !== undefined) parts.push('iif', q.iif);
  if (q.oif !== undefined) parts.push('oif', q.oif);
  return parts.join(' ');
}
