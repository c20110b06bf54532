// Names other than node names inside a lab (plan/resolv.ts says what each node gets): the lab's
// two resolv.conf files in its state directory, one per kind, linked into every node's
// /etc/netns/<netns>/resolv.conf beside the hosts link, and removed with it (kernel/files.ts).
// Like the hosts links they are derived from the namespaces the lab owns: nothing to journal.
import { readFileSync, statSync } from 'node:fs';
import type { StateRoot } from '../state/root.js';
import { join } from 'node:path';
import type { Kernel } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { parseResolv, reachableResolv, renderResolv, resolvKind, type ResolvConf, type ResolvKind } from '../plan/resolv.js';
import { readStateFile, writeStateFileInPlace } from '../state/root.js';
import { labPaths } from '../state/store.js';

/** Where the host's resolvers are configured; the second when the first names only loopback ones (systemd-resolved's stub). */
const HOST_RESOLV = ['/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'];

/** The host's resolver configuration worth copying, if any. */
export function hostResolv(paths: readonly string[] = HOST_RESOLV): ResolvConf | undefined {
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    const conf = parseResolv(text);
    if (reachableResolv(conf)) return conf;
  }
  return undefined;
}

/** The lab's file of a kind: `<state>/<lab>/resolv.conf` (host's resolvers) or `resolv-none.conf`. */
export function resolvPath(root: StateRoot, lab: string, kind: ResolvKind): string {
  return join(labPaths(root, lab).dir, kind === 'host' ? 'resolv.conf' : 'resolv-none.conf');
}

/**
 * What a long-lived process knows of the links (lab/warm.ts): the namespace -> file it linked, and
 * the namespaces left unread (as built, by this process, so their links stand too).
 */
export interface WarmResolv {
  readonly trusted: ReadonlySet<string>;
  readonly linked: Map<string, string>;
}

/**
 * Write the lab's resolv.conf files and link each node's; returns warnings for files not ours.
 * With `warm`, a node whose namespace is unread and linked to the same file by this process is skipped.
 * Every node is checked (a readlink when nothing changed), also trusted ones: a network's `nat`
 * decides a node's file but is not part of the node's namespace, so trust does not cover it.
 */
export function publishResolv(root: StateRoot, kernel: Kernel, t: Topology, warm?: WarmResolv): string[] {
  // `ip netns exec` mounts the file over /etc/resolv.conf: with no such file on the host the
  // mount fails and every exec in the node prints so. Without one a node's lookups already go to
  // 127.0.0.1, as glibc defaults, which fails as quickly as our file would.
  if (!existsOnHost('/etc/resolv.conf')) return [];
  const host = hostResolv();
  const warnings: string[] = [];
  // Each kind's file is written once, and its path made once (not per node of a big lab).
  const written = new Map<ResolvKind, string>();
  for (const node of t.nodes.values()) {
    const kind = resolvKind(t, node, host);
    let target = written.get(kind);
    if (target === undefined) {
      target = resolvPath(root, t.name, kind);
      writeInPlace(root, target, renderResolv(t.name, kind, host));
      written.set(kind, target);
    }
    if (warm?.trusted.has(node.netns) && warm.linked.get(node.netns) === target) continue;
    if (kernel.hostsLink(node.netns, target, root.path, 'resolv.conf') === 'foreign') {
      warnings.push(`/etc/netns/${node.netns}/resolv.conf exists and is not nslab's: left alone, so ${node.name} resolves other names with it`);
      warm?.linked.delete(node.netns);
    } else warm?.linked.set(node.netns, target);
  }
  return warnings;
}

function existsOnHost(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Write a file only when its content changed, in place (not write-and-rename): the mount namespace
 * of an isolated node's processes holds the bind mount of the file's inode from when it started,
 * and keeps seeing it only while that inode is the file.
 */
function writeInPlace(root: StateRoot, path: string, content: string): void {
  if (readStateFile(root, path)?.toString('utf8') === content) return;
  writeStateFileInPlace(root, path, content, 0o644);
}
