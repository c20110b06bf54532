// Which tcpdumps `nslab capture` runs for a lab, so that `down` can stop them first: a tcpdump
// inside a node's namespace keeps that namespace (and its veth, and so the bridge port) alive, and
// down would fail halfway with the names gone and the interfaces left. Each capture writes
// <state>/<lab>/captures/<its pid>.json listing its tcpdumps by PID and start time, and removes it
// when it ends; down signals only entries that still name the same process and are tcpdump.
import type { StateRoot } from '../state/root.js';
import { join } from 'node:path';
import type { System } from '../port/system.js';
import { listStateDir, readStateFile, removeStatePath, stateDir, writeStateFile } from '../state/root.js';
import { labPaths } from '../state/store.js';

interface Entry {
  readonly pid: number;
  readonly start: number;
}

const GRACE_MS = 2_000;
const POLL_MS = 20;

function dirOf(root: StateRoot, lab: string): string {
  return join(labPaths(root, lab).dir, 'captures');
}

/** Record this process's tcpdumps for the lab; returns the function that removes the record. */
export function registerCaptures(root: StateRoot, sys: System, lab: string, pids: readonly number[]): () => void {
  const entries: Entry[] = pids.flatMap((pid) => {
    const start = sys.processes.startTime(pid);
    return start === undefined ? [] : [{ pid, start }];
  });
  const dir = dirOf(root, lab);
  const path = join(dir, `${process.pid}.json`);
  try {
    // Only into the lab's existing, checked state directory (a capture never creates a lab's).
    if (!stateDir(root, labPaths(root, lab).dir)) return () => undefined;
    stateDir(root, dir, true);
    // Our own PID names the file, so one already there is stale: replaced, never through a link.
    writeStateFile(root, path, JSON.stringify(entries), 0o600);
  } catch {
    // No record (the lab's state is gone or unwritable): down then cannot stop this capture,
    // which is what happened before the registry existed; the capture itself goes on.
    return () => undefined;
  }
  return () => removeStatePath(root, path);
}

/**
 * Stop the tcpdumps of every `nslab capture` running on the lab (SIGTERM, then SIGKILL after a
 * grace period); each capture then ends by itself, as when its tcpdumps exit. Returns how many
 * were signalled.
 */
export async function stopLabCaptures(root: StateRoot, sys: System, lab: string): Promise<number> {
  const dir = dirOf(root, lab);
  let files: string[];
  try {
    files = listStateDir(root, dir)
      .map((d) => d.name)
      .filter((f) => /^\d+\.json$/.test(f));
  } catch {
    return 0;
  }
  // Only a capture process still named by its PID and start time: a forged or stale record must not make down kill anything else.
  const live = files.flatMap((f) => readEntries(root, join(dir, f))).filter((e) => sys.processes.alive(e) && sys.capture.isCapture(e.pid));
  for (const e of live) sys.processes.signal(e, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (live.some((e) => sys.processes.alive(e)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  for (const e of live) sys.processes.signal(e, 'SIGKILL');
  return live.length;
}

function readEntries(root: StateRoot, path: string): Entry[] {
  try {
    const v = JSON.parse(readStateFile(root, path)?.toString('utf8') ?? '[]') as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter(
      (e): e is Entry =>
        typeof e === 'object' && e !== null && Number.isSafeInteger((e as Entry).pid) && (e as Entry).pid > 1 && Number.isSafeInteger((e as Entry).start),
    );
  } catch {
    return [];
  }
}
