// The only place kernel names are minted: namespaces, bridges and host ends of veths. Host-side names share one namespace with
// everything else on the host, so they must be unique and at most 15 bytes (IFNAMSIZ - 1).
// Ownership markers are names/markers.ts's, the name rules names/rules.ts's.
import { hash36 } from '../names/hash.js';
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import type { Span } from '../topology/types.js';

/** Longest kernel link name in bytes. */
export const MAX_LINK_NAME = 15;

/** Length of text in UTF-8 bytes. */
export function byteLength(text: string): number {
  // Counted without encoding (a TextEncoder per name cost a big lab's up thousands of encodings).
  return Buffer.byteLength(text, 'utf8');
}

/** Netns name of a node: `<lab>-<node>`. */
export function netnsName(lab: string, node: string): string {
  return `${lab}-${node}`;
}

/** Bridge name of a network: `<lab>-<network>`, or `<lab>-<hash>` when that is over 15 bytes. */
export function bridgeName(lab: string, network: string): string {
  return readableOrHashed(lab, network, network);
}

/** Host end of a bridged or host link: `<lab>-<node>-<iface>`, or `<lab>-<hash of node/iface>`. */
export function hostEndName(lab: string, node: string, iface: string): string {
  return readableOrHashed(lab, `${node}-${iface}`, `${node}/${iface}`);
}

function readableOrHashed(lab: string, readable: string, hashKey: string): string {
  const name = `${lab}-${readable}`;
  if (byteLength(name) <= MAX_LINK_NAME) return name;
  // The low-order base36 digits: the leading digit of a 32-bit value is nearly always 0-1.
  const room = MAX_LINK_NAME - byteLength(lab) - 1;
  return `${lab}-${hash36(hashKey).slice(-room)}`;
}

/** Host-side kernel names of a lab: bridges by network, host ends by `node:iface`. */
export interface HostNames {
  readonly bridges: ReadonlyMap<string, string>;
  readonly hostEnds: ReadonlyMap<string, string>;
  /** The state root's tag (names/markers.ts ownerTag) that ownership markers carry, if any. */
  readonly owner?: string;
}

interface Claim {
  /** What has the name, for a message: made only when one is needed (a big lab has thousands of claims). */
  readonly what: () => string;
  readonly span: Span;
}

/** Mint every host-side name, reporting clashes (naming both declarations) and overlong names. */
export function mintHostNames(raw: TopologyRaw, lab: string, sink: IssueSink): HostNames {
  const claims = new Map<string, Claim>();
  const claim = (name: string, c: Claim): string => {
    const first = claims.get(name);
    if (first)
      sink.error(
        c.span,
        IssueCode.NameClash,
        `kernel name ${quote(name)} of ${c.what()} is also the name of ${first.what()} (line ${first.span.line}); rename one of them`,
      );
    else claims.set(name, c);
    if (byteLength(name) > MAX_LINK_NAME)
      sink.error(c.span, IssueCode.NameTooLong, `kernel name ${quote(name)} of ${c.what()} is longer than ${MAX_LINK_NAME} bytes`);
    return name;
  };
  const bridges = new Map<string, string>();
  for (const net of raw.networks.values()) {
    bridges.set(net.name, claim(bridgeName(lab, net.name), { what: () => `the bridge of network ${quote(net.name)}`, span: net.span }));
  }
  const hostEnds = new Map<string, string>();
  for (const node of raw.nodes.values()) {
    for (const i of node.interfaces.values()) {
      if (i.attach?.kind !== 'network' && i.attach?.kind !== 'host') continue;
      const what = (): string => `the host end of interface ${quote(`${node.name}:${i.name}`)}`;
      hostEnds.set(`${node.name}:${i.name}`, claim(hostEndName(lab, node.name, i.name), { what, span: i.span }));
    }
  }
  return { bridges, hostEnds };
}
