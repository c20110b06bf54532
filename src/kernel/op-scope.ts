// PURE: what a kernel operation touches — the namespace it acts in and the link ends it makes.
// Shared vocabulary of plan/ (removal order), apply/ (runs of one namespace) and state/ (journal
// replay cascades), kept out of plan/ so that state/ does not depend on the planner.
import { HOST_NS, type KernelOp, type NsRef } from './port.js';

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
