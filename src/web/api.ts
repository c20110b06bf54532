// The UI's JSON API: read a lab's picture, a node's details, its links' faults and its last
// scenario's timeline, and run the two actions the page
// offers (a probe between two nodes, the lab's expect: set). Every answer comes from a lab/ verb;
// names are checked against the naming rules before they reach one. There is no way to run a
// command of the caller's choosing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StateRoot } from '../lab/config.js';
import { labGraph } from '../lab/graph.js';
import type { KernelFactory } from '../lab/kernel.js';
import { linkFaults } from '../lab/link-faults.js';
import { ls } from '../lab/ls.js';
import { probePair, type ProbeKind } from '../lab/probe.js';
import { ps } from '../lab/ps.js';
import { readScenarioLog } from '../lab/scenario-log.js';
import { show } from '../lab/show.js';
import { test } from '../lab/test.js';
import { isLabName, isNodeName } from '../names/rules.js';
import { HttpError, readJson, sendJson } from './http.js';

/** What the API needs from the server. */
export interface ApiContext {
  /** The state root the verbs read (from the CLI). */
  readonly state: StateRoot;
  /** The one lab this server shows, or undefined for every lab. */
  readonly lab?: string;
  /** Runs actions one at a time (probes of one lab must not overlap). */
  readonly serial: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The kernel the verbs use (the real one unless a test injects one). */
  readonly openKernel?: KernelFactory;
}

/** A probe target: node, node:iface or an address. */
const TARGET = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Answer an /api/ request; false when no route matches. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  const parts = path.split('/').slice(2).map(segment);
  const method = req.method ?? 'GET';
  if (parts.length === 1 && parts[0] === 'labs' && method === 'GET') {
    const labs = await ls({ state: ctx.state, ...kernelOf(ctx) });
    sendJson(res, 200, { labs: labs.filter((l) => ctx.lab === undefined || l.name === ctx.lab) });
    return true;
  }
  if (parts[0] !== 'labs' || parts.length < 3) return false;
  const lab = labName(ctx, parts[1]!);
  const route = `${method} ${parts
    .slice(2)
    .map((p, i) => (i === 1 ? ':x' : p))
    .join('/')}`;
  switch (route) {
    case 'GET graph':
      sendJson(res, 200, labGraph(ctx.state, lab));
      return true;
    case 'GET faults':
      sendJson(res, 200, await linkFaults({ state: ctx.state, lab, ...kernelOf(ctx) }));
      return true;
    case 'GET scenario':
      sendJson(res, 200, { lab, scenario: readScenarioLog(ctx.state, lab) ?? null });
      return true;
    case 'GET nodes/:x':
      sendJson(res, 200, await nodeDetails(ctx, lab, check(isNodeName, parts[3]!, 'node')));
      return true;
    case 'POST probe':
      sendJson(res, 200, await ctx.serial(async () => probePair({ state: ctx.state, lab, ...probeBody(await readJson(req)), ...kernelOf(ctx) })));
      return true;
    case 'POST test':
      sendJson(res, 200, await ctx.serial(() => test({ state: ctx.state, target: lab, ...kernelOf(ctx) })));
      return true;
    default:
      return false;
  }
}

/** A node's interfaces, addresses, routes, neighbours, firewall rules and processes. */
async function nodeDetails(ctx: ApiContext, lab: string, node: string): Promise<unknown> {
  const shown = await show({ state: ctx.state, lab, node, ...kernelOf(ctx) });
  const procs = await ps({ state: ctx.state, lab });
  const processes = procs.labs[0]?.nodes.find((n) => n.name === node)?.processes ?? [];
  return { lab, node: shown.nodes[0], processes };
}

/** One path segment, decoded; a malformed %-escape is the caller's mistake, not a bug. */
function segment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `malformed path segment: ${JSON.stringify(s.slice(0, 80))}`);
  }
}

function kernelOf(ctx: ApiContext): { openKernel?: KernelFactory } {
  return ctx.openKernel ? { openKernel: ctx.openKernel } : {};
}

function labName(ctx: ApiContext, name: string): string {
  check(isLabName, name, 'lab');
  if (ctx.lab !== undefined && name !== ctx.lab) throw new HttpError(404, `this nslab ui shows lab ${ctx.lab} only`);
  return name;
}

function check(valid: (value: string) => boolean, value: string, what: string): string {
  if (!valid(value)) throw new HttpError(400, `not a valid ${what} name: ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}

/** {from, to, kind?, port?} -> the probe's arguments. */
function probeBody(b: Record<string, unknown>): { from: string; to: string; probe: ProbeKind } {
  const from = typeof b['from'] === 'string' ? check(isNodeName, b['from'], 'node') : undefined;
  const to = typeof b['to'] === 'string' ? check((t) => TARGET.test(t), b['to'], 'target') : undefined;
  if (from === undefined || to === undefined) throw new HttpError(400, 'a probe needs "from" (a node) and "to" (a node, node:iface or address)');
  const kind = b['kind'] ?? 'icmp';
  if (kind === 'icmp') return { from, to, probe: { kind } };
  const port = b['port'];
  if ((kind !== 'tcp' && kind !== 'udp') || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HttpError(400, 'kind is icmp, tcp or udp; tcp and udp need a port from 1 to 65535');
  }
  return { from, to, probe: { kind, port } };
}
