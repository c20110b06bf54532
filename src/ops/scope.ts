// PURE: what a kernel operation touches — the namespace it acts in, the link ends it makes, and
// whether a link of its MTU has IPv6 state at all.
// Shared vocabulary of plan/ (removal order), apply/ (runs of one namespace) and state/ (journal
// replay cascades), kept out of plan/ so that state/ does not depend on the planner.
import { HOST_NS, type KernelOp, type NsRef } from '../port/kernel.js';

/** The namespace an operation acts in (netns operations act on the host's /run/netns). */
export function opNs(op: KernelOp): NsRef {
  return op.op.startsWith('netns.') || !('ns' in op) ? HOST_NS : op.ns;
}

/** `ns:name` of both ends of a link an operation creates (empty for other operations). */
export function linkEnds(op: KernelOp): string[] {
  if (op.op !== 'link.create') return [];
  const own = `${op.ns}:${op.name}`;
  return op.kind === 'veth' ? [own, `${op.peer.ns}:${op.peer.name}`] : [own];
}

/**
 * Linux keeps no IPv6 state on a link whose MTU is below IPv6's minimum: no link-local address
 * appears there, and setting its addr_gen_mode is refused (EAFNOSUPPORT). The port does what it is
 * told; the planner asks for no `ipv6: false` on such a link (there is nothing to switch off).
 */
export const IPV6_MIN_MTU = 1280;

/** Whether a link of this MTU (undefined: the default 1500) has IPv6 state. */
export function mtuCarriesIpv6(mtu: number | undefined): boolean {
  return mtu === undefined || mtu >= IPV6_MIN_MTU;
}
