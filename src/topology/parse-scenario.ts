// A scenario file's tree -> ScenarioRaw, every problem to the sink with its position: the top
// level, each probe, each step and each limit are checked on their own. What needs the lab (node
// and interface names, addresses) is checked by model/scenario.ts; this module knows only the file.
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { check, keysOf, located } from './parse-util.js';
import type { Located } from './raw.js';
import { parseDuration, parsePercent, parseRate, scenarioExpectSchema, scenarioProbeSchema, scenarioShell, stepSchema } from './scenario-schema.js';
import type { SNode } from './tree.js';
import { entryOf, keySpanAt, spanAt } from './tree.js';
import type { Span } from './types.js';

/** The default time between two probe waves. */
export const DEFAULT_INTERVAL_MS = 100;
const MIN_INTERVAL_MS = 10;
const MAX_INTERVAL_MS = 60_000;

/** One flow probed all along. */
export interface ScenarioProbeRaw {
  readonly from: Located<string>;
  readonly to: Located<string>;
  readonly kind: 'icmp' | 'tcp' | 'udp';
  readonly port?: number;
  readonly span: Span;
}

/** What a step does. Endpoints are NODE:IFACE texts, resolved against the lab later. */
export type ScenarioAction =
  | { readonly kind: 'link'; readonly end: Located<string>; readonly up: boolean }
  | {
      readonly kind: 'impair';
      readonly end: Located<string>;
      readonly delayMs?: number;
      readonly jitterMs?: number;
      readonly lossPct?: number;
      readonly rateBits?: number;
    }
  | { readonly kind: 'clear'; readonly end: Located<string> }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly Located<string>[])[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'start'; readonly node: Located<string>; readonly name?: string; readonly command: readonly string[] }
  | { readonly kind: 'stop'; readonly node: Located<string>; readonly name: string }
  | { readonly kind: 'end' };

/** One step of the timeline. */
export interface ScenarioStepRaw {
  /** Milliseconds after the scenario starts. */
  readonly atMs: number;
  readonly action: ScenarioAction;
  readonly span: Span;
}

/** One limit checked at the end. */
export interface ScenarioExpectRaw {
  readonly probe: Located<number>;
  readonly maxOutageMs?: number;
  readonly recoversWithinMs?: number;
  /** Only the recovery after this step (index into steps); every step when absent. */
  readonly after?: Located<number>;
  readonly span: Span;
}

/** A parsed scenario file (only meaningful when the sink has no errors). */
export interface ScenarioRaw {
  readonly file: string;
  readonly lab?: Located<string>;
  readonly probes: readonly ScenarioProbeRaw[];
  readonly intervalMs: number;
  /** Per probe; defaults to the interval (the runner keeps it below the interval). */
  readonly timeoutMs?: number;
  readonly steps: readonly ScenarioStepRaw[];
  /** When the scenario ends (its end: step). */
  readonly endMs: number;
  readonly expect: readonly ScenarioExpectRaw[];
}

/** The raw scenario of a parsed file; problems go to the sink. */
export function parseScenario(root: SNode, sink: IssueSink): ScenarioRaw {
  const top = check(scenarioShell, { node: root, what: 'the scenario', where: 'at the top level', keys: keysOf(scenarioShell), bare: true }, sink);
  const seq = (key: string): readonly SNode[] => {
    const n = entryOf(root, key)?.value;
    return n?.kind === 'seq' ? n.items : [];
  };
  const intervalMs = top?.interval === undefined ? DEFAULT_INTERVAL_MS : parseDuration(top.interval)!;
  if (top?.interval !== undefined && (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS)) {
    sink.error(spanAt(root, ['interval']), IssueCode.BadValue, `interval must be from ${MIN_INTERVAL_MS}ms to ${MAX_INTERVAL_MS / 1000}s`);
  }
  const timeoutMs = top?.timeout === undefined ? undefined : parseDuration(top.timeout)!;
  if (timeoutMs !== undefined && (timeoutMs < 1 || timeoutMs > MAX_INTERVAL_MS)) {
    sink.error(spanAt(root, ['timeout']), IssueCode.BadValue, `timeout must be from 1ms to ${MAX_INTERVAL_MS / 1000}s`);
  }
  const probes = seq('probe').flatMap((n, i) => parseProbe(n, i, sink));
  const steps = seq('steps').flatMap((n, i) => parseStep(n, i, sink));
  checkOrder(steps, sink);
  const end = steps.find((s) => s.action.kind === 'end');
  if (top && !end && steps.length > 0) {
    sink.error(spanAt(root, ['steps']), IssueCode.MissingKey, 'steps needs a last step { at: TIME, end: true } that says when the scenario ends');
  }
  const expect = seq('expect').flatMap((n, i) => parseLimit(n, i, sink));
  const lab = top ? located(root, 'lab', top.lab) : undefined;
  return {
    file: sink.file,
    ...(lab ? { lab } : {}),
    probes,
    intervalMs,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    steps,
    endMs: end?.atMs ?? 0,
    expect,
  };
}

function parseProbe(n: SNode, i: number, sink: IssueSink): ScenarioProbeRaw[] {
  const what = `probe #${i}`;
  const d = check(scenarioProbeSchema, { node: n, what, where: `in ${what}`, keys: keysOf(scenarioProbeSchema) }, sink);
  if (!d) return [];
  if (d.tcp !== undefined && d.udp !== undefined) {
    sink.error(keySpanAt(n, [], 'udp'), IssueCode.BadValue, `${what} has both tcp: and udp:; a probe uses one of them`);
    return [];
  }
  const proto =
    d.tcp !== undefined ? { kind: 'tcp' as const, port: d.tcp } : d.udp !== undefined ? { kind: 'udp' as const, port: d.udp } : { kind: 'icmp' as const };
  return [{ from: located(n, 'from', d.from), to: located(n, 'to', d.to), ...proto, span: n.span }];
}

const ACTIONS = ['link', 'impair', 'clear', 'partition', 'heal', 'start', 'stop', 'end'] as const;
const IMPAIR_KEYS = ['delay', 'jitter', 'loss', 'rate'] as const;

function parseStep(n: SNode, i: number, sink: IssueSink): ScenarioStepRaw[] {
  const what = `step #${i}`;
  const d = check(stepSchema, { node: n, what, where: `in ${what}`, keys: keysOf(stepSchema) }, sink);
  if (!d) return [];
  const present = ACTIONS.filter((k) => d[k] !== undefined);
  if (present.length !== 1) {
    const span = present.length === 0 ? n.span : keySpanAt(n, [], present[1]!);
    const says = present.length === 0 ? 'does nothing' : `has ${present.join(' and ')}`;
    sink.error(span, IssueCode.BadValue, `${what} ${says}: a step does one of ${ACTIONS.join(', ')}`);
    return [];
  }
  const kind = present[0]!;
  const stray = (keys: readonly string[], why: string): boolean => {
    const bad = keys.filter((k) => (d as Record<string, unknown>)[k] !== undefined);
    for (const k of bad) sink.error(keySpanAt(n, [], k), IssueCode.BadValue, `${what}: ${k}: ${why}`);
    return bad.length > 0;
  };
  if (stray(kind === 'link' ? [] : ['down'], 'goes with link: only')) return [];
  if (stray(kind === 'impair' ? [] : IMPAIR_KEYS, 'goes with impair: only')) return [];
  const atMs = parseDuration(d.at)!;
  const base = { atMs, span: n.span };
  switch (kind) {
    case 'link':
      if (d.down === undefined) {
        sink.error(n.span, IssueCode.MissingKey, `${what} needs down: true or down: false with link:`);
        return [];
      }
      return [{ ...base, action: { kind, end: located(n, 'link', d.link!), up: !d.down } }];
    case 'impair': {
      if (IMPAIR_KEYS.every((k) => d[k] === undefined)) {
        sink.error(n.span, IssueCode.MissingKey, `${what} needs at least one of ${IMPAIR_KEYS.join(', ')} with impair:`);
        return [];
      }
      if (d.jitter !== undefined && d.delay === undefined) {
        sink.error(keySpanAt(n, [], 'jitter'), IssueCode.BadValue, `${what}: jitter: varies a delay; give delay: too`);
        return [];
      }
      const action = {
        kind,
        end: located(n, 'impair', d.impair!),
        ...(d.delay === undefined ? {} : { delayMs: parseDuration(d.delay)! }),
        ...(d.jitter === undefined ? {} : { jitterMs: parseDuration(d.jitter)! }),
        ...(d.loss === undefined ? {} : { lossPct: parsePercent(d.loss)! }),
        ...(d.rate === undefined ? {} : { rateBits: parseRate(d.rate)! }),
      };
      return [{ ...base, action }];
    }
    case 'clear':
      return [{ ...base, action: { kind, end: located(n, 'clear', d.clear!) } }];
    case 'partition':
      return [
        { ...base, action: { kind, groups: d.partition!.map((g, gi) => g.map((name, ni) => ({ value: name, span: spanAt(n, ['partition', gi, ni]) }))) } },
      ];
    case 'heal':
      return [{ ...base, action: { kind } }];
    case 'start': {
      const s = d.start!;
      const node = { value: s.node, span: spanAt(n, ['start', 'node']) };
      return [{ ...base, action: { kind, node, ...(s.name === undefined ? {} : { name: s.name }), command: s.command } }];
    }
    case 'stop':
      return [{ ...base, action: { kind, node: { value: d.stop!.node, span: spanAt(n, ['stop', 'node']) }, name: d.stop!.name } }];
    case 'end':
      return [{ ...base, action: { kind } }];
  }
}

/** Steps in time order (equal times run in file order), one end: and nothing after it. */
function checkOrder(steps: readonly ScenarioStepRaw[], sink: IssueSink): void {
  let prev: ScenarioStepRaw | undefined;
  let ended: ScenarioStepRaw | undefined;
  for (const s of steps) {
    if (ended) {
      sink.error(s.span, IssueCode.BadValue, `this step comes after the end: step (line ${ended.span.line}); the scenario ends there`);
    } else if (prev && s.atMs < prev.atMs) {
      sink.error(
        s.span,
        IssueCode.BadValue,
        `this step at ${s.atMs} ms comes before the previous one (at ${prev.atMs} ms, line ${prev.span.line}); steps are listed in time order`,
      );
    }
    if (s.action.kind === 'end') ended ??= s;
    prev = s;
  }
}

function parseLimit(n: SNode, i: number, sink: IssueSink): ScenarioExpectRaw[] {
  const what = `limit #${i}`;
  const d = check(scenarioExpectSchema, { node: n, what, where: `in ${what}`, keys: keysOf(scenarioExpectSchema) }, sink);
  if (!d) return [];
  if (d.max_outage === undefined && d.recovers_within === undefined) {
    sink.error(n.span, IssueCode.MissingKey, `${what} checks nothing: give max_outage: or recovers_within:`);
    return [];
  }
  if (d.after !== undefined && d.recovers_within === undefined) {
    sink.error(keySpanAt(n, [], 'after'), IssueCode.BadValue, `${what}: after: names the step recovers_within: is measured from; give recovers_within: too`);
    return [];
  }
  return [
    {
      probe: located(n, 'probe', d.probe),
      ...(d.max_outage === undefined ? {} : { maxOutageMs: parseDuration(d.max_outage)! }),
      ...(d.recovers_within === undefined ? {} : { recoversWithinMs: parseDuration(d.recovers_within)! }),
      ...(d.after === undefined ? {} : { after: located(n, 'after', d.after) }),
      span: n.span,
    },
  ];
}
