// Reading a topology for a verb: from a file given on the command line, or from the copy saved
// in a lab's state. File problems become one NslabError (exit 2) listing every issue.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { HostView } from '../model/files.js';
import type { Topology } from '../model/types.js';
import type { StateRoot } from '../state/root.js';
import type { Resource } from '../plan/resources.js';
import { loadTopologyCopy, stateRootTag } from '../state/store.js';
import { formatIssue } from '../topology/issues.js';
import type { Issue } from '../topology/issues.js';
import { loadTopology, loadTopologyFile, loadTopologyValue } from '../model/load.js';
import type { ParseMemo } from '../topology/memo.js';
import { toYamlText } from '../topology/source.js';
import { NslabError } from '../util/errors.js';
import { modelKey } from './model-cache.js';
import { noSuchLab } from './no-lab.js';
import { readTopologyFile } from './read-file.js';
export { looksLikeLabName } from './names.js';

/** A loaded topology with its text and any warnings (already formatted FILE:LINE:COL lines). */
export interface Loaded {
  readonly topology: Topology;
  readonly text: string;
  readonly warnings: readonly string[];
  /** The model cache key of the text (lab/model-cache.ts). */
  readonly key?: string;
  /** True when the model came from the lab's cache (the text is the one it was built from). */
  readonly cached?: boolean;
  /** The model's desired resources, when the cache had them. */
  readonly desired?: readonly Resource[];
}

/** Read and validate a topology file; throws NslabError (exit 2) listing all problems. */
export function loadFile(root: StateRoot, file: string): Loaded {
  return loadBytes(root, readTopologyFile(file), file);
}

/** Validate a topology file's bytes (read with readTopologyFile); throws like loadFile. `memo`: node parses to reuse (lab/warm.ts). */
export function loadBytes(root: StateRoot, bytes: Uint8Array, file: string, memo?: ParseMemo): Loaded {
  const r = loadTopologyFile(bytes, file, stateRootTag(root), hostView(file), memo);
  return { ...checked(r.topology, r.issues, r.text ?? ''), key: modelKey(bytes) };
}

/**
 * Validate a topology given as a plain value (the library's objects, the lab name set) without
 * YAML: its text (kept as the lab's copy) is its JSON, which YAML reads as it is. A value with any
 * issue, a warning too, takes the long way, as YAML text through loadBytes: the issues then point
 * at lines of that text, as they did before this shortcut existed.
 */
export function loadValue(root: StateRoot, value: object, file: string, memo?: ParseMemo): Loaded {
  const topology = loadTopologyValue(value, file, stateRootTag(root), hostView(file), memo);
  if (topology) {
    const text = `${JSON.stringify(value, null, 1)}\n`;
    return { topology, text, warnings: [], key: modelKey(text) };
  }
  return loadBytes(root, new TextEncoder().encode(toYamlText(value)), file, memo);
}

/** Validate topology text; throws NslabError (exit 2) listing all problems. */
export function fromText(root: StateRoot, text: string, file: string): Loaded {
  const { topology, issues } = loadTopology(text, file, stateRootTag(root));
  return checked(topology, issues, text);
}

/** The host as the model may see it, read-only: `files:` sources are relative to the lab file's directory. */
function hostView(file: string): HostView {
  return {
    dir: dirname(resolve(file)),
    stat(path) {
      try {
        const st = statSync(path);
        return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch {
        return undefined;
      }
    },
    read: (path) => readFileSync(path),
  };
}

function checked(topology: Topology | undefined, issues: readonly Issue[], text: string): Loaded {
  const errors = issues.filter((i) => i.severity === 'error');
  if (!topology || errors.length > 0) {
    throw new NslabError('bad-topology', issues.map(formatIssue).join('\n'), 2);
  }
  return { topology, text, warnings: issues.filter((i) => i.severity === 'warning').map(formatIssue) };
}

/** The topology a running lab was built from (its saved copy). */
export function loadLab(root: StateRoot, lab: string): Loaded {
  const text = loadTopologyCopy(root, lab);
  if (text === undefined) throw noSuchLab(root, lab);
  return labText(root, lab, text);
}

/** Validate a lab's saved copy (its text already read). */
export function labText(root: StateRoot, lab: string, text: string): Loaded {
  return { ...fromText(root, text, `${lab} (saved copy)`), key: modelKey(text) };
}
