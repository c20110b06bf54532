// The only place kernel names are minted: namespaces, bridges, host ends of veths, and the
// ownership aliases written on host-side links. Host-side names share one namespace with
// everything else on the host, so they must be unique and at most 15 bytes (IFNAMSIZ - 1).
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import type { Span } from './types.js';

/** Longest kernel link name in bytes. */
export const MAX_LINK_NAME = 15;
/** Width of a base36 FNV-1a 32 hash (36^7 > 2^32). */
const HASH_WIDTH = 7;

/** FNV-1a, 32 bits, over the UTF-8 bytes of text. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** Length of text in UTF-8 bytes. */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
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

/** The state root every version before state-root tags used, and whose markers carry no tag. */
export const DEFAULT_STATE_ROOT = '/run/nslab';

/**
 * The tag of a state root (absolute) in ownership markers, so that `clean` under one root never
 * takes another root's live labs for leftovers: 7 base36 characters of its FNV-1a hash (aliases
 * are written on every host link and IFALIASZ is 256 bytes: short). The default root has none, so
 * its markers read as they always did and labs built by earlier versions stay cleanable.
 */
export function ownerTag(stateRoot: string): string | undefined {
  const root = stateRoot.length > 1 ? stateRoot.replace(/\/+$/, '') : stateRoot;
  return root === DEFAULT_STATE_ROOT ? undefined : fnv1a32(root).toString(36).padStart(HASH_WIDTH, '0');
}

/** `nslab:<lab>`, or `nslab@<tag>:<lab>` for a lab of a state root with a tag: how every marker starts. */
export function markerHead(lab: string, owner?: string): string {
  return owner === undefined ? `nslab:${lab}` : `nslab@${owner}:${lab}`;
}

/** Ownership alias (IFLA_IFALIAS) of a bridge. */
export function networkAlias(lab: string, network: string, owner?: string): string {
  return `${markerHead(lab, owner)}:net:${network}`;
}

/** Ownership alias (IFLA_IFALIAS) of the host end of a node's interface. */
export function ifaceAlias(lab: string, node: string, iface: string, owner?: string): string {
  return `${markerHead(lab, owner)}:node:${node}:${iface}`;
}

/** The lab and state-root tag a marker (alias, nft table comment) names, if it is one. */
export function parseMarker(text: string | undefined): { lab: string; owner?: string } | undefined {
  const m = text === undefined ? null : /^nslab(?:@([0-9a-z]{7}))?:([a-z][a-z0-9-]{0,9})(?::|$)/.exec(text);
  if (!m) return undefined;
  return m[1] === undefined ? { lab: m[2]! } : { lab: m[2]!, owner: m[1] };
}

/** The group (directory of namespace mounts, /run/nslab-netns/<group>) of a lab: `<lab>` or `<lab>@<tag>`. */
export function netnsGroup(lab: string, owner?: string): string {
  return owner === undefined ? lab : `${lab}@${owner}`;
}

/** The lab and tag a group directory's name gives, if it is one. */
export function parseGroup(group: string): { lab: string; owner?: string } | undefined {
  const m = /^([a-z][a-z0-9-]{0,9})(?:@([0-9a-z]{7}))?$/.exec(group);
  if (!m) return undefined;
  return m[2] === undefined ? { lab: m[1]! } : { lab: m[1]!, owner: m[2] };
}

function readableOrHashed(lab: string, readable: string, hashKey: string): string {
  const name = `${lab}-${readable}`;
  if (byteLength(name) <= MAX_LINK_NAME) return name;
  // The low-order base36 digits: the leading digit of a 32-bit value is nearly always 0-1.
  const room = MAX_LINK_NAME - byteLength(lab) - 1;
  return `${lab}-${fnv1a32(hashKey).toString(36).padStart(HASH_WIDTH, '0').slice(-room)}`;
}

/** Host-side kernel names of a lab: bridges by network, host ends by `node:iface`. */
export interface HostNames {
  readonly bridges: ReadonlyMap<string, string>;
  readonly hostEnds: ReadonlyMap<string, string>;
  /** The state root's tag (ownerTag) that ownership markers carry, if any. */
  readonly owner?: string;
}

interface Claim {
  readonly what: string;
  readonly span: Span;
}

/** Mint every host-side name, reporting clashes (naming both declarations) and overlong names. */
export function mintHostNames(raw: TopologyRaw, lab: string, sink: IssueSink): HostNames {
  const claims = new Map<string, Claim>();
  const claim = (name: string, c: Claim): string => {
    const first = claims.get(name);
    if (first) sink.error(c.span, IssueCode.NameClash, `kernel name ${quote(name)} of ${c.what} is also the name of ${first.what} (line ${first.span.line}); rename one of them`);
    else claims.set(name, c);
    if (byteLength(name) > MAX_LINK_NAME) sink.error(c.span, IssueCode.NameTooLong, `kernel name ${quote(name)} of ${c.what} is longer than ${MAX_LINK_NAME} bytes`);
    return name;
  };
  const bridges = new Map<string, string>();
  for (const net of raw.networks.values()) {
    bridges.set(net.name, claim(bridgeName(lab, net.name), { what: `the bridge of network ${quote(net.name)}`, span: net.span }));
  }
  const hostEnds = new Map<string, string>();
  for (const node of raw.nodes.values()) {
    for (const i of node.interfaces.values()) {
      if (i.attach?.kind !== 'network' && i.attach?.kind !== 'host') continue;
      const what = `the host end of interface ${quote(`${node.name}:${i.name}`)}`;
      hostEnds.set(`${node.name}:${i.name}`, claim(hostEndName(lab, node.name, i.name), { what, span: i.span }));
    }
  }
  return { bridges, hostEnds };
}
