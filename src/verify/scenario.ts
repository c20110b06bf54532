// A parsed scenario (topology/parse-scenario.ts) checked against the lab it runs on: the nodes
// and NODE:IFACE ends it names exist, its flows have an address to probe, its limits name flows
// and steps that exist. Problems go to the sink at the position they were written; pure.
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { Located } from '../topology/raw.js';
import type { ScenarioAction, ScenarioRaw } from '../topology/parse-scenario.js';
import { quote } from '../topology/text.js';
import { parseAddress } from '../util/ip.js';
import { targetAddress } from './matrix.js';
import type { Topology } from '../model/types.js';

/** One end of a link inside a node, with the namespace it lives in. */
export interface ScenarioEnd {
  readonly node: string;
  readonly iface: string;
  readonly netns: string;
}

/** One flow probed all along the scenario. */
export interface ScenarioFlow {
  readonly id: number;
  readonly from: string;
  readonly netns: string;
  /** As written: node, NODE:IFACE or address. */
  readonly to: string;
  readonly dst: string;
  readonly kind: 'icmp' | 'tcp' | 'udp';
  readonly port?: number;
  /** "h1 -> h2 icmp", for people. */
  readonly label: string;
}

/** A step's action with its names resolved. */
export type ScenarioStepAction =
  | { readonly kind: 'link'; readonly end: ScenarioEnd; readonly up: boolean }
  | {
      readonly kind: 'impair';
      readonly end: ScenarioEnd;
      readonly delayMs?: number;
      readonly jitterMs?: number;
      readonly lossPct?: number;
      readonly rateBits?: number;
    }
  | { readonly kind: 'clear'; readonly end: ScenarioEnd }
  | { readonly kind: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly kind: 'heal' }
  | { readonly kind: 'start'; readonly node: string; readonly name?: string; readonly command: readonly string[] }
  | { readonly kind: 'stop'; readonly node: string; readonly name: string }
  | { readonly kind: 'end' };

/** One step of the timeline. */
export interface ScenarioStep {
  readonly index: number;
  readonly atMs: number;
  readonly action: ScenarioStepAction;
  /** "link r1:eth3 down", for people. */
  readonly text: string;
}

/** One limit. */
export interface ScenarioLimit {
  readonly probe: number;
  readonly maxOutageMs?: number;
  readonly recoversWithinMs?: number;
  readonly after?: number;
}

/** A scenario ready to run against its lab. */
export interface Scenario {
  readonly lab: string;
  readonly file: string;
  readonly flows: readonly ScenarioFlow[];
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  readonly steps: readonly ScenarioStep[];
  readonly endMs: number;
  readonly expect: readonly ScenarioLimit[];
}

/** The scenario resolved against the lab's model, or undefined when the sink got errors. */
export function resolveScenario(raw: ScenarioRaw, t: Topology, sink: IssueSink): Scenario | undefined {
  const node = (n: Located<string>): string | undefined => {
    if (t.nodes.has(n.value)) return n.value;
    sink.error(n.span, IssueCode.UnknownNode, `lab ${t.name} has no node ${quote(n.value)} (nodes: ${[...t.nodes.keys()].join(', ')})`);
    return undefined;
  };
  const end = (e: Located<string>): ScenarioEnd | undefined => {
    const [nodeName, iface, extra] = e.value.split(':');
    if (nodeName === undefined || iface === undefined || extra !== undefined || nodeName === '' || iface === '') {
      sink.error(e.span, IssueCode.BadValue, `${quote(e.value)} must be NODE:IFACE, such as "r1:eth0"`);
      return undefined;
    }
    const n = node({ value: nodeName, span: e.span });
    if (n === undefined) return undefined;
    const found = t.nodes.get(n)!;
    if (!found.interfaces.has(iface)) {
      sink.error(e.span, IssueCode.UnknownInterface, `node ${n} has no interface ${quote(iface)} (it has: ${[...found.interfaces.keys()].join(', ')})`);
      return undefined;
    }
    return { node: n, iface, netns: found.netns };
  };
  const flows = raw.probes.flatMap((p, id): ScenarioFlow[] => {
    const from = node(p.from);
    const target = p.to.value;
    const targetNode = target.split(':')[0] ?? '';
    if (!parseAddress(target)) {
      if (target.includes(':') ? end(p.to) === undefined : node(p.to) === undefined) return [];
      if (!t.nodes.has(targetNode)) return [];
    }
    if (from === undefined) return [];
    const dst = targetAddress(t, t.nodes.get(from)!, target);
    if (dst === undefined) {
      sink.error(p.to.span, IssueCode.NoAddress, `${quote(target)} has no address to probe`);
      return [];
    }
    const proto = p.port === undefined ? p.kind : `${p.kind} ${p.port}`;
    return [
      {
        id,
        from,
        netns: t.nodes.get(from)!.netns,
        to: target,
        dst,
        kind: p.kind,
        ...(p.port === undefined ? {} : { port: p.port }),
        label: `${from} -> ${target} ${proto}`,
      },
    ];
  });
  const steps = raw.steps.flatMap((s, index): ScenarioStep[] => {
    const action = resolveAction(s.action, node, end, sink);
    return action ? [{ index, atMs: s.atMs, action, text: describeAction(action) }] : [];
  });
  const expect = raw.expect.flatMap((e): ScenarioLimit[] => {
    if (e.probe.value >= raw.probes.length) {
      sink.error(e.probe.span, IssueCode.BadValue, `there is no probe #${e.probe.value}: probes are numbered from 0 to ${raw.probes.length - 1}`);
      return [];
    }
    const last = raw.steps.length - 1;
    if (e.after && e.after.value >= last) {
      sink.error(
        e.after.span,
        IssueCode.BadValue,
        `there is no step #${e.after.value} to recover after: steps are numbered from 0, the last before end: is #${last - 1}`,
      );
      return [];
    }
    return [
      {
        probe: e.probe.value,
        ...(e.maxOutageMs === undefined ? {} : { maxOutageMs: e.maxOutageMs }),
        ...(e.recoversWithinMs === undefined ? {} : { recoversWithinMs: e.recoversWithinMs }),
        ...(e.after === undefined ? {} : { after: e.after.value }),
      },
    ];
  });
  if (sink.failed) return undefined;
  return {
    lab: t.name,
    file: raw.file,
    flows,
    intervalMs: raw.intervalMs,
    ...(raw.timeoutMs === undefined ? {} : { timeoutMs: raw.timeoutMs }),
    steps,
    endMs: raw.endMs,
    expect,
  };
}

function resolveAction(
  a: ScenarioAction,
  node: (n: Located<string>) => string | undefined,
  end: (e: Located<string>) => ScenarioEnd | undefined,
  sink: IssueSink,
): ScenarioStepAction | undefined {
  switch (a.kind) {
    case 'link':
    case 'clear':
    case 'impair': {
      const e = end(a.end);
      if (!e) return undefined;
      const { end: _written, ...rest } = a;
      return { ...rest, end: e } as ScenarioStepAction;
    }
    case 'partition': {
      const seen = new Map<string, number>();
      let ok = true;
      const groups = a.groups.map((g, gi) =>
        g.map((n) => {
          const name = node(n);
          if (name === undefined) ok = false;
          else if (seen.has(name)) {
            sink.error(
              n.span,
              IssueCode.BadValue,
              `node ${name} is in two groups (#${seen.get(name)} and #${gi}); a partition splits the nodes into separate groups`,
            );
            ok = false;
          } else seen.set(name, gi);
          return n.value;
        }),
      );
      return ok ? { kind: 'partition', groups } : undefined;
    }
    case 'start':
    case 'stop': {
      const n = node(a.node);
      return n === undefined ? undefined : ({ ...a, node: n } as ScenarioStepAction);
    }
    case 'heal':
    case 'end':
      return a;
  }
}

/** A step's action in a few words. */
export function describeAction(a: ScenarioStepAction): string {
  const at = (e: ScenarioEnd): string => `${e.node}:${e.iface}`;
  switch (a.kind) {
    case 'link':
      return `link ${at(a.end)} ${a.up ? 'up' : 'down'}`;
    case 'impair': {
      const parts = [
        a.delayMs === undefined ? '' : `delay ${a.delayMs}ms${a.jitterMs === undefined ? '' : ` ±${a.jitterMs}ms`}`,
        a.lossPct === undefined ? '' : `loss ${a.lossPct}%`,
        a.rateBits === undefined ? '' : `rate ${a.rateBits / 1000}kbit`,
      ].filter((p) => p !== '');
      return `impair ${at(a.end)} ${parts.join(' ')}`;
    }
    case 'clear':
      return `clear ${at(a.end)}`;
    case 'partition':
      return `partition ${a.groups.map((g) => g.join(',')).join(' | ')}`;
    case 'heal':
      return 'heal';
    case 'start':
      return `start ${a.node}${a.name === undefined ? '' : `.${a.name}`}: ${a.command.join(' ')}`;
    case 'stop':
      return `stop ${a.node}.${a.name}`;
    case 'end':
      return 'end';
  }
}
