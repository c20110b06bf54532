// The front end in one call: topology file text -> resolved Topology, or every problem as an
// Issue. Composes topology/ (source (YAML) -> parse (schema) -> validate (cross-checks)) ->
// model/ (IPAM, address checks, kernel names, resolve). It lives in model/ because model/ may
// import topology/ and not the reverse. Pure: the caller reads the file.
import { decodeTopology } from '../topology/decode.js';
import { IssueSink } from '../topology/issues.js';
import type { Issue } from '../topology/issues.js';
import { parseTopology } from '../topology/parse.js';
import { parseSource } from '../topology/source.js';
import type { ParseMemo } from '../topology/memo.js';
import type { SNode } from '../topology/tree.js';
import { treeOfValue } from '../topology/value-tree.js';
import { validateTopology } from '../topology/validate.js';
import { addressInventory } from './address-inventory.js';
import { checkAddresses } from './address-checks.js';
import { checkFiles } from './files.js';
import type { HostView } from './files.js';
import { checkFirewallTargets } from './firewall.js';
import { allocateAddresses } from './ipam.js';
import { mintHostNames } from './names.js';
import { checkPublished } from './publish.js';
import { resolveTopology } from './resolve.js';
import { checkPlacement } from './machines.js';
import { placeNodes } from './placement.js';
import type { Topology } from './types.js';

/** The result of loading a topology: the model only when there are no errors. */
export interface LoadResult {
  readonly topology?: Topology;
  /** Errors and warnings, sorted by position. */
  readonly issues: Issue[];
}

/**
 * Parse, check and resolve a topology file's text. `file` is used only in issues and in
 * Topology.file. Every problem of the file is reported, not just the first; hostile input
 * (not YAML, alias bombs, deep nesting, wrong types, huge numbers) gives issues, not throws.
 * `owner`: the state root's tag for ownership markers (names/markers.ts ownerTag). `host`: a
 * read-only view of the host (the lab file's directory, stat, read) for `files:` sources and
 * binds; without it (a saved copy) they are neither checked nor hashed.
 */
export function loadTopology(text: string, file: string, owner?: string, host?: HostView, memo?: ParseMemo): LoadResult {
  const sink = new IssueSink(file);
  const source = parseSource(text);
  for (const f of source.findings) sink.add(f);
  if (!source.root) return { issues: sink.issues() };
  return fromTree(source.root, sink, owner, host, memo);
}

/**
 * loadTopology for a plain value (a library caller's object), without YAML text: the topology
 * when the value has no issue at all, else undefined. Its spans are all 1:1, so a caller with
 * issues to show goes the long way (the value as YAML text, then loadTopology) for their places.
 */
export function loadTopologyValue(value: unknown, file: string, owner?: string, host?: HostView, memo?: ParseMemo): Topology | undefined {
  const root = treeOfValue(value);
  if (!root) return undefined;
  const r = fromTree(root, new IssueSink(file), owner, host, memo);
  return r.issues.length === 0 ? r.topology : undefined;
}

function fromTree(root: SNode, sink: IssueSink, owner: string | undefined, host: HostView | undefined, memo: ParseMemo | undefined): LoadResult {
  const raw = parseTopology(root, sink, memo);
  validateTopology(raw, sink);
  const alloc = allocateAddresses(raw, sink);
  checkAddresses(addressInventory(raw, alloc), sink);
  checkFirewallTargets(raw, alloc, sink);
  checkPublished(raw, alloc, sink);
  const hostFiles = checkFiles(raw, host, sink);
  const placement = placeNodes(raw);
  checkPlacement(raw, placement, sink);
  const lab = raw.name?.value;
  const names = lab === undefined ? undefined : { ...mintHostNames(raw, lab, sink), ...(owner === undefined ? {} : { owner }) };
  if (sink.failed || lab === undefined || names === undefined) return { issues: sink.issues() };
  return { topology: resolveTopology({ raw, lab, names, alloc, host: hostFiles, placement }), issues: sink.issues() };
}

/**
 * loadTopology for a file's bytes: refuses a file over MAX_FILE_BYTES, one that is not UTF-8 and
 * one with characters YAML forbids, each with the position of the problem, before parsing.
 */
export function loadTopologyFile(bytes: Uint8Array, file: string, owner?: string, host?: HostView, memo?: ParseMemo): LoadResult & { readonly text?: string } {
  const d = decodeTopology(bytes);
  if ('text' in d) return { ...loadTopology(d.text, file, owner, host, memo), text: d.text };
  const sink = new IssueSink(file);
  sink.add(d.finding);
  return { issues: sink.issues() };
}
