// What a rootless lab needs of the way out (kernel/uplink.ts): `up` records it beside the lab's
// journal (uplink.json: nat, and the published ports), and the command that ran it, back in the
// user's own namespaces, makes the uplink serve the union of every lab's wants: started when the
// first lab needs it, its host forwards kept to the published ports, stopped when none does.
// `down` and `clean` remove the lab's state and so its wants; a killed command leaves a file that
// the next command's reconcile reads like any other.
import type { Topology } from '../model/types.js';
import type { StateRoot } from '../state/root.js';
import { readUplinkWants, saveUplinkWants } from '../state/store.js';

/** One lab's wants, as recorded. */
interface Wants {
  readonly nat: boolean;
  readonly publish: ReadonlyArray<{ readonly proto: 'tcp' | 'udp'; readonly port: number }>;
}

/** The lab's wants as uplink.json's text, or undefined when it needs no way out. */
export function uplinkWantsOf(t: Topology): string | undefined {
  const nat = [...t.networks.values()].some((n) => n.nat);
  const publish = [...t.nodes.values()].flatMap((n) => n.publish.map((p) => ({ proto: p.proto, port: p.hostPort })));
  if (!nat && publish.length === 0) return undefined;
  return `${JSON.stringify({ nat, publish } satisfies Wants)}\n`;
}

/** Record (or drop) the lab's wants after a rootless up. */
export function recordUplinkWants(root: StateRoot, t: Topology): void {
  saveUplinkWants(root, t.name, uplinkWantsOf(t));
}

/** The union of every lab's wants: undefined when no lab needs the uplink. */
export function wantedUplink(root: StateRoot): { readonly forwards: Array<{ proto: 'tcp' | 'udp'; port: number }> } | undefined {
  const all: Wants[] = [];
  for (const text of readUplinkWants(root)) {
    try {
      all.push(JSON.parse(text) as Wants);
    } catch {
      // a damaged file asks for nothing
    }
  }
  if (all.length === 0) return undefined;
  const seen = new Map<string, { proto: 'tcp' | 'udp'; port: number }>();
  for (const w of all) for (const p of w.publish ?? []) seen.set(`${p.proto}/${p.port}`, { proto: p.proto, port: p.port });
  return { forwards: [...seen.values()] };
}
