// Parsing and checking a big topology is most of the time of an `up` that changes nothing, and of
// every `exec`, `show` or `test` on a big lab (~0.2 s for 1000 nodes). Both are pure functions of
// the text, so a lab keeps the model of the exact text it was built from (state/store.ts) and a
// byte-identical text gets it back instead of being parsed again. The key is the text's SHA-256
// and this build of nslab (the module file's mtime), so an upgraded nslab parses afresh.
import { createHash } from 'node:crypto';
import type { StateRoot } from '../state/root.js';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../model/types.js';
import { LAB_NAME } from '../names/rules.js';
import type { Resource } from '../plan/resources.js';
import { isJournalOp } from '../state/records.js';
import { loadModelCache, saveModelCache } from '../state/store.js';

/** The layout of the cached value; a cache of another layout is ignored and rebuilt. */
const CACHE_FORMAT = 1;

/** What is cached: the model and the warnings (formatted with `file`, re-labelled on a hit). */
interface Cached {
  readonly format: typeof CACHE_FORMAT;
  readonly topology: Topology;
  readonly warnings: readonly string[];
  readonly file: string;
  /** desiredResources(topology), which up would otherwise compute again (~25 ms for 1000 nodes). */
  readonly desired?: readonly Resource[];
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const mapOf = (x: unknown, ok: (v: Obj) => boolean): boolean => x instanceof Map && [...x.values()].every((v) => isObj(v) && ok(v));
const RESOURCE_KINDS = new Set(['netns', 'link', 'config', 'addr', 'route', 'sysctl', 'nft']);

/**
 * The cached value if it has this build's layout, else undefined (rebuilt from the text). The key
 * names this build already; the checks guard against a file of another layout under the same key
 * (an older cache, a bug) being taken as a model by cast: the containers and names everything
 * reads first, and every desired op in full, since up sends those to the kernel as they are.
 */
function parseCached(v: unknown): Cached | undefined {
  if (!isObj(v) || v['format'] !== CACHE_FORMAT || !isStr(v['file'])) return undefined;
  const w = v['warnings'];
  if (!Array.isArray(w) || !w.every(isStr)) return undefined;
  const t = v['topology'];
  if (!isObj(t) || !isStr(t['name']) || !isStr(t['file']) || !(t['owner'] === undefined || isStr(t['owner']))) return undefined;
  if (!mapOf(t['networks'], (n) => isStr(n['name']) && isStr(n['bridge']) && isStr(n['alias']) && Array.isArray(n['subnets']))) return undefined;
  if (!mapOf(t['nodes'], (n) => isStr(n['name']) && isStr(n['netns']) && n['interfaces'] instanceof Map && Array.isArray(n['routes']))) return undefined;
  if (!Array.isArray(t['links']) || !t['links'].every(isObj) || !Array.isArray(t['expect'])) return undefined;
  const d = v['desired'];
  if (
    d !== undefined &&
    !(
      Array.isArray(d) &&
      d.every((r) => isObj(r) && isStr(r['id']) && RESOURCE_KINDS.has(r['kind'] as string) && typeof r['phase'] === 'number' && isJournalOp(r['op']))
    )
  )
    return undefined;
  return v as unknown as Cached;
}

let build: string | undefined;

/** The cache key of a topology text. */
export function modelKey(text: string | Uint8Array): string {
  build ??= String(statSync(fileURLToPath(import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return createHash('sha256').update(build).update('\0').update(text).digest('hex');
}

const QUICK_NAME = new RegExp(`^name:\\s*["']?(${LAB_NAME})["']?\\s*(#.*)?$`, 'm');

/** The lab a text names (a quick look at its `name:` line, enough to find the cache). */
export function quickLabName(text: string): string | undefined {
  return QUICK_NAME.exec(text)?.[1];
}

/**
 * The latest model per lab this process built or read, for the last MEMORY_LABS labs: a
 * long-lived process (the library's lab handle) runs verbs on its labs again and again, and
 * reading the cache file back costs ~40 ms for 1000 nodes. A model is a pure function of its
 * key (the text and this build), and immutable, so one object serves every caller, also after
 * the lab went down and came up again.
 */
const inMemory = new Map<string, { readonly key: string; readonly value: Cached }>();
const MEMORY_LABS = 16;
const memoryKey = (root: StateRoot, lab: string): string => `${root.path}\0${lab}`;

/** Forget what this process remembers of a lab's model (the next look reads the cache file). */
export function forgetModel(root: StateRoot, lab: string): void {
  inMemory.delete(memoryKey(root, lab));
}

function remember(root: StateRoot, lab: string, key: string, value: Cached): void {
  const k = memoryKey(root, lab);
  inMemory.delete(k);
  inMemory.set(k, { key, value });
  // A test suite starts hundreds of labs in one process: only the most recent are kept.
  for (const old of inMemory.keys()) {
    if (inMemory.size <= MEMORY_LABS) break;
    inMemory.delete(old);
  }
}

/** The cached model of a text, re-labelled for `file`, if the lab has it. */
export function cachedModel(
  root: StateRoot,
  lab: string,
  key: string,
  file: string,
): { topology: Topology; warnings: string[]; desired?: readonly Resource[] } | undefined {
  const mem = inMemory.get(memoryKey(root, lab));
  const hit = mem?.key === key ? mem.value : parseCached(loadModelCache(root, lab, key));
  if (!hit) return undefined;
  if (mem?.key !== key) remember(root, lab, key, hit);
  const relabel = (w: string): string => (w.startsWith(`${hit.file}:`) ? file + w.slice(hit.file.length) : w);
  return { topology: { ...hit.topology, file }, warnings: hit.warnings.map(relabel), ...(hit.desired ? { desired: hit.desired } : {}) };
}

/**
 * Keep the model of a text the lab was just built from: in this process at once, and in the lab's
 * cache file (for other processes) now, or by the returned function when `defer` (a long-lived
 * process writes it when idle: the write costs ~20 ms for 1000 nodes).
 */
export function keepModel(
  root: StateRoot,
  lab: string,
  key: string,
  topology: Topology,
  warnings: readonly string[],
  desired?: readonly Resource[],
  defer?: (write: () => void) => void,
): void {
  const value: Cached = { format: CACHE_FORMAT, topology, warnings, file: topology.file, ...(desired ? { desired } : {}) };
  remember(root, lab, key, value);
  const write = (): void => saveModelCache(root, lab, key, value);
  if (defer) defer(write);
  else write();
}
