// The hot verbs' way to a topology (up, exec, show, test, trace, run, capture): the lab's cached
// model first (lab/model-cache.ts), and only on a miss the parser. The parser (yaml, zod and the
// checks: 40-50 ms just to load) is imported on demand, so a verb on a lab whose text is cached
// never loads it. lab/load.ts stays the one implementation of checking; files are read once,
// safely, by lab/read-file.ts.
import { loadTopologyCopy } from '../state/store.js';
import type { StateRoot } from '../state/root.js';
import type { Loaded } from './load.js';
import type { ParseMemo } from '../topology/memo.js';
import { cachedModel, modelKey, quickLabName } from './model-cache.js';
import { noSuchLab } from './no-lab.js';
import { readTopologyFile } from './read-file.js';

/** loadFile, without loading the parser when the lab has the model of this exact text. */
export async function loadFileLazy(root: StateRoot, file: string): Promise<Loaded> {
  return loadBytesLazy(root, readTopologyFile(file), file);
}

/** The same for a file's bytes already read (readTopologyFile). `memo`: node parses to reuse on a miss (lab/warm.ts). */
export async function loadBytesLazy(root: StateRoot, bytes: Uint8Array, file: string, memo?: ParseMemo): Promise<Loaded> {
  const key = modelKey(bytes);
  const lab = quickLabName(Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 65536)).toString('latin1'));
  const hit = lab === undefined ? undefined : cachedModel(root, lab, key, file);
  if (hit) return { ...hit, text: Buffer.from(bytes).toString('utf8'), key, cached: true };
  return (await import('./load.js')).loadBytes(root, bytes, file, memo);
}

/** loadLab, likewise. */
export async function loadLabLazy(root: StateRoot, lab: string): Promise<Loaded> {
  const text = loadTopologyCopy(root, lab);
  if (text === undefined) throw noSuchLab(root, lab);
  const key = modelKey(text);
  const hit = cachedModel(root, lab, key, `${lab} (saved copy)`);
  if (hit) return { ...hit, text, key, cached: true };
  return (await import('./load.js')).labText(root, lab, text);
}
