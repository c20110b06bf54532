// The ownership markers nslab leaves on the host, minted and read in this one place (as
// containerlab does in links/link.go): a marker written by one version and read by another, or
// minted by plan/ and parsed by clean, must agree to the character.
//
// Formats (lab names follow names/rules.ts; `<tag>` is a state root's ownerTag):
//   link alias (IFLA_IFALIAS)  `nslab:<lab>:net:<network>`, `nslab:<lab>:node:<node>:<iface>`
//   nft table                  `inet nslab-<lab>` with the comment `nslab:<lab>`
//   nft rule comment           `nslab:<lab>:<what>` (e.g. `nslab:demo:input#2`)
//   namespace group directory  `/run/nslab-netns/<lab>`; /run/netns/<ns> links to `<group>/<ns>`
//   hosts, resolv.conf         /etc/netns/<ns>/hosts linking to `<state root>/<lab>/hosts`
// A state root other than /run/nslab puts `@<tag>` after `nslab` in markers (`nslab@<tag>:<lab>`)
// and after the lab in group names (`<lab>@<tag>`); markers without a tag, the only format
// before tags, read as the default root's, so labs built by earlier versions stay cleanable.
import { hash36, HASH_WIDTH } from './hash.js';
import { isLabName, LAB_NAME } from './rules.js';

/** The state root every version before state-root tags used, and whose markers carry no tag. */
export const DEFAULT_STATE_ROOT = '/run/nslab';

const TAG = `[0-9a-z]{${HASH_WIDTH}}`;
const MARKER_RE = new RegExp(`^nslab(?:@(${TAG}))?:(${LAB_NAME})(?::|$)`);
const GROUP_RE = new RegExp(`^(${LAB_NAME})(?:@(${TAG}))?$`);
const TABLE_RE = new RegExp(`^nslab-(${LAB_NAME})$`);

/** The lab a marker or group names, and the state-root tag it carries (none for the default root). */
export interface Owner {
  readonly lab: string;
  readonly owner?: string;
}

/**
 * The tag of a state root (absolute) in ownership markers, so that `clean` under one root never
 * takes another root's live labs for leftovers: 7 base36 characters of its FNV-1a hash (aliases
 * are written on every host link and IFALIASZ is 256 bytes: short). The default root has none.
 */
export function ownerTag(stateRoot: string): string | undefined {
  const root = stateRoot.length > 1 ? stateRoot.replace(/\/+$/, '') : stateRoot;
  return root === DEFAULT_STATE_ROOT ? undefined : hash36(root);
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

/** Comment of an nft rule of a lab: `nslab:<lab>:<what>` (never tagged: tables carry the tag). */
export function ruleMark(lab: string, what: string): string {
  return `nslab:${lab}:${what}`;
}

/** The lab and state-root tag a marker (alias, nft table comment) names, if it is one. */
export function parseMarker(text: string | undefined): Owner | undefined {
  const m = text === undefined ? null : MARKER_RE.exec(text);
  if (!m) return undefined;
  return m[1] === undefined ? { lab: m[2]! } : { lab: m[2]!, owner: m[1] };
}

/**
 * The lab a link alias marks its link as owned by, when the alias is a link marker
 * (`<head>:...`, not a bare table comment) of the state root tagged `owner`.
 */
export function labOfAlias(alias: string | undefined, owner?: string): string | undefined {
  const m = parseMarker(alias);
  return m !== undefined && m.owner === owner && alias!.startsWith(`${markerHead(m.lab, owner)}:`) ? m.lab : undefined;
}

/** Whether a link alias is a marker of `lab`, of any state root (what down checks before deleting). */
export function marksLab(alias: string, lab: string): boolean {
  return parseMarker(alias)?.lab === lab;
}

/** The nft table of a lab in every namespace it touches: `nslab-<lab>` (family inet). */
export function nftTableName(lab: string): string {
  // Table names are bare nft identifiers: letters, digits and a few punctuation marks only.
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(lab)) throw new Error(`nft: lab name "${lab}" is not a valid table suffix`);
  return `nslab-${lab}`;
}

/** The lab an nft table name belongs to (`nslab-<lab>`), if it is one. */
export function labOfNftTable(table: string): string | undefined {
  return TABLE_RE.exec(table)?.[1];
}

/** Where every lab's group of namespace mounts lives: a mark of ownership `clean` looks for. */
export const GROUP_DIR = '/run/nslab-netns';

/** The group (directory of namespace mounts, /run/nslab-netns/<group>) of a lab: `<lab>` or `<lab>@<tag>`. */
export function netnsGroup(lab: string, owner?: string): string {
  return owner === undefined ? lab : `${lab}@${owner}`;
}

/** The lab and tag a group directory's name gives, if it is one. */
export function parseGroup(group: string): Owner | undefined {
  const m = GROUP_RE.exec(group);
  if (!m) return undefined;
  return m[2] === undefined ? { lab: m[1]! } : { lab: m[1]!, owner: m[2] };
}

/** The lab a group directory belongs to, when it is of the state root tagged `owner`. */
export function labOfGroup(group: string, owner?: string): string | undefined {
  const g = parseGroup(group);
  return g !== undefined && g.owner === owner ? g.lab : undefined;
}

/** The lab a /run/netns symlink target names: `<groupRoot>/<group>/<name>`, with name the link's own. */
export function labOfNetnsTarget(groupRoot: string, name: string, target: string, owner?: string): string | undefined {
  const prefix = `${groupRoot}/`;
  if (!target.startsWith(prefix)) return undefined;
  const rest = target.slice(prefix.length).split('/');
  return rest.length === 2 && rest[1] === name ? labOfGroup(rest[0]!, owner) : undefined;
}

/** The lab a hosts (or resolv.conf) symlink target names: `<stateRoot>/<lab>/hosts`, `.../resolv.conf`, `.../resolv-none.conf`. */
export function labOfHostsTarget(stateRoot: string, target: string): string | undefined {
  const m = /^([^/]+)\/(?:hosts|resolv\.conf|resolv-none\.conf)$/.exec(target.startsWith(stateRoot + '/') ? target.slice(stateRoot.length + 1) : '');
  return m && isLabName(m[1]!) ? m[1] : undefined;
}
