// `scenario`: run a timeline of faults against a lab that is up while probing chosen flows, then
// say per flow when it was out, for how long, and how long it took to recover after each step.
// Steps run through StepActions (real ones in lab/scenario-actions.ts, fakes in tests), on a
// monotonic clock; the probe loop sends one wave of probes per interval through System.probe,
// one wave at a time. Every change is undone at the end, on an error and on Ctrl-C, in reverse
// order. The file is checked whole (against the lab) before anything is touched.
import { existsSync } from 'node:fs';
import type { Topology } from '../model/types.js';
import type { ProbeOptions, ProbeSpec } from '../port/probe.js';
import type { StateRoot } from '../state/root.js';
import { labPaths } from '../state/store.js';
import { decodeTopology } from '../topology/decode.js';
import { IssueCode, IssueSink, formatIssue } from '../topology/issues.js';
import { parseScenario } from '../topology/parse-scenario.js';
import { parseSource } from '../topology/source.js';
import { NslabError } from '../util/errors.js';
import { checkLimits, outageWindows, recoveries } from '../verify/outages.js';
import type { LimitResult, Outage, Recovery, Sample } from '../verify/outages.js';
import { resolveScenario } from '../verify/scenario.js';
import type { Scenario, ScenarioEnd, ScenarioStep } from '../verify/scenario.js';
import type { KernelFactory } from './kernel.js';
import { systemOf, type SystemOption } from './kernel.js';
import { loadLabLazy } from './load-lazy.js';
import { looksLikeLabName } from './names.js';
import { readTopologyFile } from './read-file.js';
import { recordScenario } from './scenario-log.js';
import type { Prober } from './test.js';
export type { LimitResult, Outage, Recovery } from '../verify/outages.js';
export { seconds } from '../verify/outages.js';
export type { Scenario, ScenarioEnd, ScenarioFlow, ScenarioStep } from '../verify/scenario.js';

/** An impairment as a step sets it. */
export interface Impairment {
  readonly delayMs?: number;
  readonly jitterMs?: number;
  readonly lossPct?: number;
  readonly rateBits?: number;
}

/** What steps do to a lab. Each may throw (NslabError): the scenario then stops and undoes what it did. */
export interface StepActions {
  linkState(end: ScenarioEnd, up: boolean): Promise<void>;
  impair(end: ScenarioEnd, impairment: Impairment): Promise<void>;
  clearImpair(end: ScenarioEnd): Promise<void>;
  partition(groups: readonly (readonly string[])[]): Promise<void>;
  heal(): Promise<void>;
  /** Start a process; resolves to the name it got. */
  startProcess(node: string, name: string | undefined, command: readonly string[]): Promise<string>;
  stopProcess(node: string, name: string): Promise<void>;
}

/** A monotonic clock (ms) and a sleep that an abort ends early. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: performance.now(), which never jumps with the wall clock. */
export const monotonic: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted || ms <= 0) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** One line of the timeline, as it happens. `t` is ms after the start. */
export type TimelineEvent =
  | { readonly t: number; readonly kind: 'start'; readonly flows: number; readonly intervalMs: number; readonly timeoutMs: number }
  | { readonly t: number; readonly kind: 'step'; readonly step: number; readonly text: string }
  | { readonly t: number; readonly kind: 'step-failed'; readonly step: number; readonly text: string; readonly error: string }
  | { readonly t: number; readonly kind: 'down'; readonly flow: number; readonly label: string; readonly reason?: string }
  | { readonly t: number; readonly kind: 'up'; readonly flow: number; readonly label: string; readonly outageMs: number }
  | { readonly t: number; readonly kind: 'end' | 'interrupted' }
  | { readonly t: number; readonly kind: 'undo'; readonly text: string; readonly error?: string };

/** What happened to one flow. */
export interface FlowReport {
  readonly id: number;
  readonly label: string;
  readonly dst: string;
  readonly probes: number;
  readonly failed: number;
  readonly outages: readonly Outage[];
  readonly recoveries: readonly Recovery[];
}

/** The result of a scenario run. */
export interface ScenarioResult {
  readonly lab: string;
  readonly file: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Outage windows are measured to this resolution (the probe interval). */
  readonly resolutionMs: number;
  readonly plannedMs: number;
  readonly ranMs: number;
  readonly interrupted: boolean;
  /** A step that failed (the scenario stopped there). */
  readonly error?: string;
  readonly steps: readonly { readonly index: number; readonly atMs: number; readonly text: string; readonly ranAtMs?: number }[];
  readonly events: readonly TimelineEvent[];
  readonly flows: readonly FlowReport[];
  readonly limits: readonly LimitResult[];
  /** Undo actions that failed: the lab may not be as it was. */
  readonly undoFailed: readonly string[];
  readonly notices: readonly string[];
  /** Every limit held, and the scenario ran to its end without error. */
  readonly ok: boolean;
}

/** Options of `scenario`. */
export interface ScenarioOptions extends SystemOption {
  readonly state: StateRoot;
  readonly file: string;
  /** Overrides the file's interval: (ms). */
  readonly intervalMs?: number;
  /** Stops the run (Ctrl-C): undo, then the result measured so far. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: TimelineEvent) => void;
  readonly openKernel?: KernelFactory;
  readonly prober?: Prober;
  /** The steps' effects; the real ones (lab/scenario-actions.ts) by default. */
  readonly actions?: StepActions;
  readonly clock?: Clock;
}

/** Read and check a scenario file against its lab; NslabError (exit 2) listing every problem. */
export async function loadScenario(root: StateRoot, file: string): Promise<{ scenario: Scenario; topology: Topology }> {
  const sink = new IssueSink(file);
  const decoded = decodeTopology(readTopologyFile(file));
  if ('finding' in decoded) sink.add(decoded.finding);
  const source = 'text' in decoded ? parseSource(decoded.text) : undefined;
  for (const f of source?.findings ?? []) sink.add(f);
  let resolved: { scenario: Scenario; topology: Topology } | undefined;
  if (source?.root) {
    const raw = parseScenario(source.root, sink);
    const lab = raw.lab;
    if (lab && !(looksLikeLabName(lab.value) && existsSync(labPaths(root, lab.value).journal))) {
      sink.error(lab.span, IssueCode.BadValue, `lab ${JSON.stringify(lab.value)} is not up; run \`nslab up FILE\` first (or check the name: \`nslab ls\`)`);
    } else if (lab) {
      const { topology } = await loadLabLazy(root, lab.value);
      const scenario = resolveScenario(raw, topology, sink);
      if (scenario) resolved = { scenario, topology };
    }
  }
  if (sink.failed || !resolved)
    throw new NslabError(
      'bad-topology',
      sink
        .issues()
        .filter((i) => i.severity === 'error')
        .map(formatIssue)
        .join('\n'),
      2,
    );
  return resolved;
}

/** Run a scenario file against its lab. */
export async function scenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const root = opts.state;
  const loaded = await loadScenario(root, opts.file);
  const sc = opts.intervalMs === undefined ? loaded.scenario : { ...loaded.scenario, intervalMs: opts.intervalMs };
  const sys = await systemOf(opts);
  const prober: Prober = opts.prober ?? ((specs, o) => sys.probe.run(specs, o));
  const actions =
    opts.actions ??
    (await import('./scenario-actions.js')).labActions({
      root,
      topology: loaded.topology,
      system: sys,
      ...(opts.openKernel ? { openKernel: opts.openKernel } : {}),
    });
  // The timeline goes to the lab's state as it happens, for `nslab ui`.
  const log = recordScenario(root, sc);
  const onEvent = (e: TimelineEvent): void => {
    log.event(e);
    opts.onEvent?.(e);
  };
  try {
    const r = await runScenario(sc, { actions, prober, clock: opts.clock ?? monotonic, onEvent, ...(opts.signal ? { signal: opts.signal } : {}) });
    log.finish(r);
    return log.problem === undefined ? r : { ...r, notices: [...r.notices, log.problem] };
  } catch (e) {
    log.finish({ error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
}

/** What runScenario needs besides the scenario. */
export interface RunDeps {
  readonly actions: StepActions;
  readonly prober: Prober;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: TimelineEvent) => void;
}

/** The probe timeout for an interval: below it, so that one wave ends before the next is due. */
export function defaultTimeout(intervalMs: number): number {
  return Math.max(5, Math.round(intervalMs * 0.8));
}

/** Run a checked scenario: steps and probes concurrently, then undo, then the analysis. */
export async function runScenario(sc: Scenario, deps: RunDeps): Promise<ScenarioResult> {
  const { clock, actions } = deps;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  if (deps.signal?.aborted) stop.abort();
  const timeoutMs = sc.timeoutMs ?? defaultTimeout(sc.intervalMs);
  const notices: string[] = [];
  if (timeoutMs >= sc.intervalMs) {
    notices.push(
      `the probe timeout (${timeoutMs} ms) is not below the interval (${sc.intervalMs} ms): a wave that waits for its timeout delays the next, and outages are measured more coarsely`,
    );
  }
  const events: TimelineEvent[] = [];
  const t0 = clock.now();
  const since = (): number => Math.round((clock.now() - t0) * 10) / 10;
  const emit = (e: TimelineEvent): void => {
    events.push(e);
    deps.onEvent?.(e);
  };
  emit({ t: 0, kind: 'start', flows: sc.flows.length, intervalMs: sc.intervalMs, timeoutMs });

  const samples: Sample[][] = sc.flows.map(() => []);
  const specs: ProbeSpec[] = sc.flows.map((f) => ({ id: f.id, netns: f.netns, dst: f.dst, kind: f.kind, ...(f.port === undefined ? {} : { port: f.port }) }));
  const probeOpts: ProbeOptions = { timeoutMs, attempts: 1, concurrency: Math.max(1, specs.length), ratePerSec: 100_000 };
  const downSince: (number | undefined)[] = sc.flows.map(() => undefined);

  const probeLoop = async (): Promise<void> => {
    for (let k = 0; !stop.signal.aborted; ) {
      const due = k * sc.intervalMs;
      if (due >= sc.endMs) break;
      await clock.sleep(t0 + due - clock.now(), stop.signal);
      if (stop.signal.aborted) break;
      const sent = since();
      const outs = await deps.prober(specs, probeOpts);
      const byId = new Map(outs.map((o) => [o.id, o]));
      sc.flows.forEach((f, i) => {
        const o = byId.get(f.id);
        const ok = o?.reached === true;
        samples[i]!.push({ t: sent, ok });
        const was = downSince[i];
        if (!ok && was === undefined) {
          downSince[i] = sent;
          emit({ t: sent, kind: 'down', flow: f.id, label: f.label, ...(o?.reason ? { reason: o.reason } : {}) });
        } else if (ok && was !== undefined) {
          downSince[i] = undefined;
          emit({ t: sent, kind: 'up', flow: f.id, label: f.label, outageMs: sent - was });
        }
      });
      // Ticks missed while a wave overran are skipped, not made up in a burst.
      k = Math.max(k + 1, Math.floor((clock.now() - t0) / sc.intervalMs) + 1);
    }
  };

  // The first undo for each thing a step changed (link, qdisc, partition, process), in order.
  const undo = new Map<string, { text: string; run: () => Promise<void> }>();
  const remember = (key: string, text: string, run: () => Promise<void>): void => {
    if (!undo.has(key)) undo.set(key, { text, run });
  };
  const ranAt = new Map<number, number>();
  let error: string | undefined;

  const stepLoop = async (): Promise<void> => {
    for (const step of sc.steps) {
      await clock.sleep(t0 + step.atMs - clock.now(), stop.signal);
      if (stop.signal.aborted) return;
      const t = since();
      ranAt.set(step.index, t);
      if (step.action.kind === 'end') return;
      emit({ t, kind: 'step', step: step.index, text: step.text });
      try {
        await execute(step, actions, remember);
      } catch (e) {
        error = `step #${step.index} (${step.text}) failed: ${e instanceof Error ? e.message : String(e)}`;
        emit({ t: since(), kind: 'step-failed', step: step.index, text: step.text, error: error });
        stop.abort();
        return;
      }
    }
  };

  try {
    await Promise.all([probeLoop(), stepLoop()]);
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
  }
  const interrupted = deps.signal?.aborted === true;
  const ranMs = Math.min(since(), interrupted || error ? Number.POSITIVE_INFINITY : sc.endMs);
  emit({ t: since(), kind: interrupted ? 'interrupted' : 'end' });

  const undoFailed: string[] = [];
  for (const [, u] of [...undo].reverse()) {
    try {
      await u.run();
      emit({ t: since(), kind: 'undo', text: u.text });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      undoFailed.push(`${u.text}: ${why}`);
      emit({ t: since(), kind: 'undo', text: u.text, error: why });
    }
  }

  const ran = sc.steps.filter((s) => s.action.kind !== 'end' && ranAt.has(s.index));
  const flows = sc.flows.map((f, i): FlowReport => {
    const series = samples[i]!;
    return {
      id: f.id,
      label: f.label,
      dst: f.dst,
      probes: series.length,
      failed: series.filter((s) => !s.ok).length,
      outages: outageWindows(series, ranMs),
      recoveries: recoveries(series, ran, ranMs),
    };
  });
  const limits = checkLimits(sc.expect, flows);
  return {
    lab: sc.lab,
    file: sc.file,
    intervalMs: sc.intervalMs,
    timeoutMs,
    resolutionMs: sc.intervalMs,
    plannedMs: sc.endMs,
    ranMs,
    interrupted,
    ...(error === undefined ? {} : { error }),
    steps: sc.steps.map((s) => ({ index: s.index, atMs: s.atMs, text: s.text, ...(ranAt.has(s.index) ? { ranAtMs: ranAt.get(s.index)! } : {}) })),
    events,
    flows,
    limits,
    undoFailed,
    notices,
    ok: !interrupted && error === undefined && undoFailed.length === 0 && limits.every((l) => l.ok),
  };
}

/** Run one step and remember how to undo what it changes (the first change of each thing wins). */
async function execute(step: ScenarioStep, actions: StepActions, remember: (key: string, text: string, run: () => Promise<void>) => void): Promise<void> {
  const a = step.action;
  const at = (e: ScenarioEnd): string => `${e.node}:${e.iface}`;
  switch (a.kind) {
    case 'link':
      // Labs are built with their links up: that is the state to go back to.
      remember(`link ${at(a.end)}`, `link ${at(a.end)} up`, () => actions.linkState(a.end, true));
      await actions.linkState(a.end, a.up);
      return;
    case 'impair': {
      const { kind: _k, end, ...imp } = a;
      remember(`qdisc ${at(end)}`, `clear ${at(end)}`, () => actions.clearImpair(end));
      await actions.impair(end, imp);
      return;
    }
    case 'clear':
      remember(`qdisc ${at(a.end)}`, `clear ${at(a.end)}`, () => actions.clearImpair(a.end));
      await actions.clearImpair(a.end);
      return;
    case 'partition':
    case 'heal':
      remember('partition', 'heal', () => actions.heal());
      await (a.kind === 'partition' ? actions.partition(a.groups) : actions.heal());
      return;
    case 'start': {
      const name = await actions.startProcess(a.node, a.name, a.command);
      remember(`proc ${a.node}.${name}`, `stop ${a.node}.${name}`, () => actions.stopProcess(a.node, name));
      return;
    }
    case 'stop':
      // A process the scenario did not start is not restarted (`nslab up` restarts declared ones).
      await actions.stopProcess(a.node, a.name);
      return;
    case 'end':
      return;
  }
}
