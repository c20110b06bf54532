// A scenario's timeline as it happens, kept in the lab's state for `nslab ui`:
// <lab dir>/scenario.jsonl. A new scenario replaces the file with its header (flows, steps, the
// planned length, the runner's pid); each timeline event is appended as one JSON line; the last
// line, `finished`, carries the measured outages. Written through the state tree's safe-file
// functions; removed with the lab's state by `down`. Recording never fails a scenario: a write
// that fails stops the recording and is reported as a notice.
import { closeSync, constants, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openStateFile, readStateFile, stateDir, type StateRoot, writeStateFile } from '../state/root.js';
import { labPaths } from '../state/store.js';
import type { Scenario } from '../verify/scenario.js';
import type { ScenarioResult, TimelineEvent } from './scenario.js';

/** Path of a lab's scenario timeline. */
export function scenarioLogPath(root: StateRoot, lab: string): string {
  return join(labPaths(root, lab).dir, 'scenario.jsonl');
}

/** A recording in progress. */
export interface ScenarioRecorder {
  event(e: TimelineEvent): void;
  finish(r: ScenarioResult | { readonly error: string }): void;
  /** Why recording stopped, if it did. */
  readonly problem: string | undefined;
}

/** Start recording a scenario (the previous one's timeline is replaced). */
export function recordScenario(root: StateRoot, sc: Scenario, pid = process.pid, now = Date.now()): ScenarioRecorder {
  const path = scenarioLogPath(root, sc.lab);
  let fd: number | undefined;
  let problem: string | undefined;
  const guard = (fn: () => void): void => {
    if (problem !== undefined) return;
    try {
      fn();
    } catch (e) {
      problem = `the timeline for nslab ui could not be written to ${path}: ${e instanceof Error ? e.message : String(e)}`;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    }
  };
  const line = (v: unknown): void => guard(() => writeSync(fd!, `${JSON.stringify(v)}\n`));
  guard(() => {
    const header = {
      kind: 'scenario',
      v: 1,
      lab: sc.lab,
      file: sc.file,
      pid,
      startedAt: now,
      plannedMs: sc.endMs,
      intervalMs: sc.intervalMs,
      flows: sc.flows.map((f) => ({ id: f.id, label: f.label, dst: f.dst })),
      steps: sc.steps.map((s) => ({ index: s.index, atMs: s.atMs, text: s.text })),
    };
    writeStateFile(root, path, `${JSON.stringify(header)}\n`, 0o600);
    fd = openStateFile(root, path, constants.O_WRONLY | constants.O_APPEND);
  });
  return {
    event: (e) => line(e),
    finish: (r) => {
      if ('flows' in r) {
        line({
          kind: 'finished',
          t: r.ranMs,
          ok: r.ok,
          interrupted: r.interrupted,
          ...(r.error === undefined ? {} : { error: r.error }),
          flows: r.flows.map((f) => ({ id: f.id, outages: f.outages.map((o) => ({ startMs: o.startMs, endMs: o.endMs, ...(o.open ? { open: true } : {}) })) })),
        });
      } else line({ kind: 'finished', ok: false, interrupted: false, error: r.error });
      guard(() => {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
      });
    },
    get problem() {
      return problem;
    },
  };
}

/** One outage window: endMs absent while it lasts. */
export interface OutageWindow {
  readonly startMs: number;
  readonly endMs?: number;
}

/** A flow of the timeline, with its current state. */
export interface TimelineFlow {
  readonly id: number;
  readonly label: string;
  readonly dst: string;
  /** "unknown" before its first probe came back. */
  readonly state: 'up' | 'down' | 'unknown';
  readonly outages: readonly OutageWindow[];
}

/** A step of the timeline: when it was planned, when it ran, whether it failed. */
export interface TimelineStep {
  readonly index: number;
  readonly atMs: number;
  readonly text: string;
  readonly ranAtMs?: number;
  readonly error?: string;
}

/** The last scenario run against a lab, as far as it got. */
export interface ScenarioTimeline {
  readonly lab: string;
  readonly file: string;
  /** Wall-clock start (ms since the epoch). */
  readonly startedAt: number;
  readonly plannedMs: number;
  readonly intervalMs: number;
  /** "running", "finished" (see ok), or "abandoned" (its runner is gone without finishing). */
  readonly status: 'running' | 'finished' | 'abandoned';
  readonly ok?: boolean;
  readonly interrupted?: boolean;
  readonly error?: string;
  /** The latest time the timeline reached (ms after the start). */
  readonly lastMs: number;
  readonly flows: readonly TimelineFlow[];
  readonly steps: readonly TimelineStep[];
}

/** Lines read at most (a timeline has a line per step and per flow change). */
const MAX_LINES = 100_000;

/**
 * The lab's last scenario timeline, or undefined when none was recorded. `alive` says whether the
 * runner's pid still runs (default: this host's answer), to tell a run that died from one in progress.
 */
export function readScenarioLog(root: StateRoot, lab: string, alive: (pid: number) => boolean = pidAlive): ScenarioTimeline | undefined {
  if (!stateDir(root, labPaths(root, lab).dir)) return undefined;
  const bytes = readStateFile(root, scenarioLogPath(root, lab));
  if (!bytes) return undefined;
  return parseScenarioLog(lab, bytes.toString('utf8'), alive);
}

/** The text of a scenario timeline file as a timeline; undefined when it has no valid header. */
export function parseScenarioLog(lab: string, text: string, alive: (pid: number) => boolean): ScenarioTimeline | undefined {
  const lines = text.split('\n', MAX_LINES).flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  const head = lines[0];
  if (head?.['kind'] !== 'scenario' || head['v'] !== 1 || !Array.isArray(head['flows']) || !Array.isArray(head['steps'])) return undefined;
  const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const flows = (head['flows'] as unknown[]).flatMap((f) => {
    const o = f as Record<string, unknown>;
    return typeof o === 'object' && o !== null ? [{ id: num(o['id']), label: str(o['label']), dst: str(o['dst']) }] : [];
  });
  const steps = new Map<number, { index: number; atMs: number; text: string; ranAtMs?: number; error?: string }>();
  for (const s of head['steps'] as unknown[]) {
    const o = s as Record<string, unknown>;
    if (typeof o === 'object' && o !== null) steps.set(num(o['index']), { index: num(o['index']), atMs: num(o['atMs']), text: str(o['text']) });
  }
  const state = new Map<number, 'up' | 'down' | 'unknown'>(flows.map((f) => [f.id, 'unknown']));
  const outages = new Map<number, OutageWindow[]>(flows.map((f) => [f.id, []]));
  let lastMs = 0;
  let finished: Record<string, unknown> | undefined;
  for (const e of lines.slice(1)) {
    const t = num(e['t'], lastMs);
    lastMs = Math.max(lastMs, t);
    const flow = num(e['flow'], -1);
    switch (e['kind']) {
      case 'step':
      case 'step-failed': {
        const s = steps.get(num(e['step'], -1));
        if (s) steps.set(s.index, { ...s, ranAtMs: s.ranAtMs ?? t, ...(e['kind'] === 'step-failed' ? { error: str(e['error']) } : {}) });
        break;
      }
      case 'down':
        if (state.has(flow) && state.get(flow) !== 'down') {
          state.set(flow, 'down');
          outages.get(flow)!.push({ startMs: t });
        }
        break;
      case 'up': {
        const open = outages.get(flow)?.at(-1);
        if (open && open.endMs === undefined) outages.get(flow)!.splice(-1, 1, { startMs: open.startMs, endMs: t });
        if (state.has(flow)) state.set(flow, 'up');
        break;
      }
      case 'start':
        break;
      case 'finished':
        finished = e;
        break;
    }
  }
  // A flow whose probes reached from the first emits nothing: up once the timeline has moved on.
  for (const [id, s] of state) if (s === 'unknown' && lastMs > 0) state.set(id, 'up');
  const measured = new Map<number, OutageWindow[]>();
  const openAtEnd = new Set<number>();
  if (finished && Array.isArray(finished['flows'])) {
    for (const f of finished['flows'] as Record<string, unknown>[]) {
      if (typeof f !== 'object' || f === null || !Array.isArray(f['outages'])) continue;
      measured.set(
        num(f['id'], -1),
        (f['outages'] as Record<string, unknown>[]).map((o) => ({ startMs: num(o?.['startMs']), endMs: num(o?.['endMs']) })),
      );
      const last = (f['outages'] as Record<string, unknown>[]).at(-1);
      if (last?.['open'] === true) openAtEnd.add(num(f['id'], -1));
    }
  }
  // Once finished, the measured windows are the truth: a flow is down at the end only when its
  // last outage never ended (an event line lost to a failed write must not leave it shown down).
  if (finished) for (const id of measured.keys()) if (state.has(id)) state.set(id, openAtEnd.has(id) ? 'down' : 'up');
  const pid = num(head['pid'], -1);
  const status = finished ? 'finished' : pid > 0 && alive(pid) ? 'running' : 'abandoned';
  if (finished) lastMs = Math.max(lastMs, num(finished['t'], lastMs));
  return {
    lab,
    file: str(head['file']),
    startedAt: num(head['startedAt']),
    plannedMs: num(head['plannedMs']),
    intervalMs: num(head['intervalMs']),
    status,
    ...(finished ? { ok: finished['ok'] === true, interrupted: finished['interrupted'] === true } : {}),
    ...(finished && typeof finished['error'] === 'string' ? { error: finished['error'] } : {}),
    lastMs,
    flows: flows.map((f) => ({
      ...f,
      state: state.get(f.id)!,
      outages: measured.get(f.id) ?? outages.get(f.id)!,
    })),
    // A run that finished without error or interrupt ran every step (the end step emits no event).
    steps: [...steps.values()].map((s) =>
      finished && !('error' in finished) && finished['interrupted'] !== true && s.ranAtMs === undefined ? { ...s, ranAtMs: s.atMs } : s,
    ),
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
