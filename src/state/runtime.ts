// The lab's runtime changes (`nslab link`, `impair`, `partition`): <lab dir>/runtime.json, a small
// versioned file replaced atomically (state/root.ts), read by up, show, test and trace, removed by
// `up --reset` and with the lab's state by `down`. Format, version 1:
//   { "v": 1, "down": ["a:eth0"], "impair": [{ "end": "a:eth0", "shape": { "rate": 1250000 }, "egressOnly": false }],
//     "partitions": [{ "a": ["a"], "b": ["b", "c"], "cut": ["b:eth0"] }] }
// A file of another version, or one that does not read as this shape, is refused with its path.
import { join } from 'node:path';
import type { RuntimeChanges, RuntimeImpair, RuntimePartition } from '../model/impair.js';
import { hasChanges, NO_CHANGES } from '../model/impair.js';
import { NslabError } from '../util/errors.js';
import { readStateFile, removeStatePath, stateDir, type StateRoot, writeStateFile } from './root.js';

/** The version of runtime.json this nslab writes and reads. */
export const RUNTIME_VERSION = 1;

const SHAPE_FIELDS = ['rate', 'delayUs', 'jitterUs', 'lossPct', 'corruptPct', 'duplicatePct', 'reorderPct', 'limit'];

/** Path of a lab's runtime file. */
export function runtimePath(root: StateRoot, lab: string): string {
  return join(root.path, lab, 'runtime.json');
}

/** The lab's runtime changes (none when the file is absent). */
export function readRuntime(root: StateRoot, lab: string): RuntimeChanges {
  const path = runtimePath(root, lab);
  if (!stateDir(root, join(root.path, lab))) return NO_CHANGES;
  const bytes = readStateFile(root, path);
  if (!bytes) return NO_CHANGES;
  const parsed = parseRuntime(bytes.toString('utf8'));
  if (typeof parsed === 'string') throw new NslabError('unsafe-state', `${path}: ${parsed}; remove it (\`nslab up --reset\`) to return to the file`, 1);
  return parsed;
}

/** Save the lab's runtime changes; no changes removes the file. */
export function writeRuntime(root: StateRoot, lab: string, c: RuntimeChanges): void {
  const path = runtimePath(root, lab);
  if (!hasChanges(c)) {
    if (readStateFile(root, path)) removeStatePath(root, path);
    return;
  }
  writeStateFile(root, path, `${JSON.stringify({ v: RUNTIME_VERSION, ...c })}\n`, 0o600);
}

/** The text of a runtime file as changes, or why it is not one. */
export function parseRuntime(text: string): RuntimeChanges | string {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (!isObj(j)) return 'not a JSON object';
  if (j['v'] !== RUNTIME_VERSION) return `version ${JSON.stringify(j['v'])}, this nslab reads version ${RUNTIME_VERSION}`;
  const down = j['down'];
  const impair = j['impair'];
  const partitions = j['partitions'];
  if (!strings(down)) return '"down" is not a list of NODE:IFACE';
  if (!Array.isArray(impair) || !impair.every(isImpair)) return '"impair" is not a list of { end, shape, egressOnly }';
  if (!Array.isArray(partitions) || !partitions.every(isPartition)) return '"partitions" is not a list of { a, b, cut }';
  return { down, impair: impair as RuntimeImpair[], partitions: partitions as RuntimePartition[] };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isImpair(v: unknown): boolean {
  if (!isObj(v) || typeof v['end'] !== 'string' || typeof v['egressOnly'] !== 'boolean' || !isObj(v['shape'])) return false;
  const shape = v['shape'];
  return Object.entries(shape).every(([k, x]) => SHAPE_FIELDS.includes(k) && typeof x === 'number' && Number.isFinite(x) && x >= 0);
}

function isPartition(v: unknown): boolean {
  return isObj(v) && strings(v['a']) && strings(v['b']) && strings(v['cut']);
}
