// Parsing and checking a big topology is most of the time of an `up` that changes nothing, and of
// every `exec`, `show` or `test` on a big lab (~0.2 s for 1000 nodes). Both are pure functions of
// the text, so a lab keeps the model of the exact text it was built from (state/store.ts) and a
// byte-identical text gets it back instead of being parsed again. The key is the text's SHA-256
// and this build of nslab (the module file's mtime), so an upgraded nslab parses afresh.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../model/types.js';
import { LAB_NAME } from '../names/rules.js';
import type { Resource } from '../plan/resources.js';
import { loadModelCache, saveModelCache } from '../state/store.js';

/** What is cached: the model and the warnings (formatted with `file`, re-labelled on a hit). */
interface Cached {
  readonly topology: Topology;
  readonly warnings: readonly string[];
  readonly file: string;
  /** desiredResources(topology), which up would otherwise compute again (~25 ms for 1000 nodes). */
  readonly desired?: readonly Resource[];
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

/** The cached model of a text, re-labelled for `file`, if the lab has it. */
export function cachedModel(lab: string, key: string, file: string): { topology: Topology; warnings: string[]; desired?: readonly Resource[] } | undefined {
  const hit = loadModelCache(lab, key) as Cached | undefined;
  if (!hit || typeof hit !== 'object' || !hit.topology) return undefined;
  const relabel = (w: string): string => (w.startsWith(`${hit.file}:`) ? file + w.slice(hit.file.length) : w);
  return { topology: { ...hit.topology, file }, warnings: hit.warnings.map(relabel), ...(hit.desired ? { desired: hit.desired } : {}) };
}

/** Keep the model of a text the lab was just built from. */
export function keepModel(lab: string, key: string, topology: Topology, warnings: readonly string[], desired?: readonly Resource[]): void {
  const value: Cached = { topology, warnings, file: topology.file, ...(desired ? { desired } : {}) };
  saveModelCache(lab, key, value);
}
