// SNode tree -> TopologyRaw, collecting every schema problem. The top level, each network,
// each node, each interface, each route and each expectation is checked on its own, so one bad
// entity does not hide the problems of the others. Nodes are parsed in parse-node.ts.
// Top-level keys starting with `x-` are the file's own (a place for YAML anchors, as in compose
// files): they are dropped before anything looks at the file.
import { parseAddress, parseCidr } from '../util/ip.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { nameMessage, nameProblem } from './name-rules.js';
import { fingerprint, type ParseMemo } from './memo.js';
import { parseNode } from './parse-node.js';
import { check, checkName, keysOf, located, locatedList } from './parse-util.js';
import type { ExpectRaw, MachineRaw, NetworkRaw, NodeRaw, TopologyRaw } from './raw.js';
import { expectSchema, machineSchema, networkSchema, topShell } from './schema.js';
import { EXTENSION_KEY } from './syntax-patterns.js';
import { quote } from './text.js';
import type { SEntry, SNode } from './tree.js';
import { entryOf, isNull, keySpanAt, spanAt } from './tree.js';

/** The raw topology of a parsed file; problems go to the sink. `memo`: node parses to reuse (memo.ts). */
export function parseTopology(file: SNode, sink: IssueSink, memo?: ParseMemo): TopologyRaw {
  const root = withoutExtensions(file);
  check(topShell, { node: shell(root), what: 'the file', where: 'at the top level', keys: keysOf(topShell), bare: true }, sink);
  const networks = new Map<string, NetworkRaw>();
  const nodes = new Map<string, NodeRaw>();
  const netsNode = entryOf(root, 'networks')?.value;
  const nodesNode = entryOf(root, 'nodes')?.value;
  for (const e of netsNode?.kind === 'map' ? netsNode.entries : []) networks.set(e.key, parseNetwork(e, sink));
  for (const e of nodesNode?.kind === 'map' ? nodesNode.entries : []) nodes.set(e.key, memo ? memoParse(e, sink, memo) : parseNode(e, sink));
  memo?.done();
  const machines = new Map<string, MachineRaw>();
  const machinesNode = entryOf(root, 'machines')?.value;
  for (const e of machinesNode?.kind === 'map' ? machinesNode.entries : []) machines.set(e.key, parseMachine(e, sink));
  const readable = (n: SNode | undefined): boolean => n === undefined || n.kind === 'map' || isNull(n);
  return {
    file: sink.file,
    ...labName(root, sink),
    networks,
    nodes,
    expect: parseExpectations(entryOf(root, 'expect')?.value, sink),
    machines,
    complete: { networks: root.kind === 'map' && readable(netsNode), nodes: root.kind === 'map' && nodesNode !== undefined && readable(nodesNode) },
  };
}

const EXTENSION = new RegExp(EXTENSION_KEY);

/** The shell's open fields: their entries (items) are checked one by one, not by the shell. */
const OPEN = new Set(['networks', 'nodes', 'expect', 'machines']);

/**
 * The top level as the shell sees it: networks and nodes without their entries, expect without
 * its items (the shell takes any value there). Converting a big lab's every node for the shell
 * alone cost more than parsing the nodes.
 */
function shell(root: SNode): SNode {
  if (root.kind !== 'map') return root;
  // Keys are always strings, so an empty mapping (list) is checked exactly as the full one.
  const open = (n: SNode): SNode => (n.kind === 'seq' ? { ...n, items: [] } : n.kind === 'map' ? { ...n, entries: [], byKey: new Map() } : n);
  const entries = root.entries.map((e) => (OPEN.has(e.key) ? { ...e, value: open(e.value) } : e));
  return { ...root, entries, byKey: new Map(entries.map((e) => [e.key, e])) };
}

function memoParse(e: SEntry, sink: IssueSink, memo: ParseMemo): NodeRaw {
  const seen = memo.seen(e);
  if (seen) return seen;
  const key = fingerprint(e);
  const hit = memo.get(key);
  if (hit) {
    memo.remember(e, hit);
    return hit;
  }
  const before = sink.count;
  const raw = parseNode(e, sink);
  if (sink.count === before) {
    memo.set(key, raw);
    memo.remember(e, raw);
  }
  return raw;
}

/** The top level without its `x-` keys (the JSON Schema allows the same keys, by EXTENSION_KEY). */
function withoutExtensions(root: SNode): SNode {
  if (root.kind !== 'map') return root;
  const entries = root.entries.filter((e) => !EXTENSION.test(e.key));
  return entries.length === root.entries.length ? root : { ...root, entries, byKey: new Map(entries.map((e) => [e.key, e])) };
}

function labName(root: SNode, sink: IssueSink): Pick<TopologyRaw, 'name'> {
  const n = entryOf(root, 'name')?.value;
  if (n?.kind !== 'scalar' || typeof n.value !== 'string') return {};
  const reason = nameProblem('lab', n.value);
  if (reason === undefined) return { name: { value: n.value, span: n.span } };
  sink.error(n.span, IssueCode.BadName, nameMessage('lab', n.value, reason));
  return {};
}

function parseNetwork(e: SEntry, sink: IssueSink): NetworkRaw {
  const nameOk = checkName('network', e, sink);
  const what = `network ${quote(e.key)}`;
  const data = check(networkSchema, { node: e.value, what, where: `in ${what}`, keys: keysOf(networkSchema) }, sink);
  const base = { name: e.key, span: e.keySpan };
  if (!data) return { ...base, ok: false, subnets: [], gateways: [], nat: false };
  return {
    ...base,
    ok: nameOk,
    nat: data.nat ?? false,
    subnets: locatedList(e.value, 'subnet', data.subnet, (s) => parseCidr(s)!),
    gateways: locatedList(e.value, 'gateway', data.gateway, (s) => parseAddress(s)!),
    ...(data.vni === undefined ? {} : { vni: located(e.value, 'vni', data.vni) }),
  };
}

function parseMachine(e: SEntry, sink: IssueSink): MachineRaw {
  const nameOk = checkName('machine', e, sink);
  const what = `machine ${quote(e.key)}`;
  const data = check(machineSchema, { node: e.value, what, where: `in ${what}`, keys: keysOf(machineSchema) }, sink);
  const base = { name: e.key, span: e.keySpan };
  if (!data) return { ...base, ok: false };
  const address = parseAddress(data.address);
  if (address?.family !== 4) {
    sink.error(
      spanAt(e.value, ['address']),
      IssueCode.BadValue,
      `${what}: address ${quote(data.address)} must be an IPv4 address (the tunnels are VXLAN over IPv4)`,
    );
    return { ...base, ok: false };
  }
  return {
    ...base,
    ok: nameOk,
    address: located(e.value, 'address', address.address),
    ...(data.dev === undefined ? {} : { dev: data.dev }),
    ...(data.mtu === undefined ? {} : { mtu: data.mtu }),
  };
}

function parseExpectations(n: SNode | undefined, sink: IssueSink): ExpectRaw[] {
  return n?.kind === 'seq' ? n.items.map((item, i) => parseExpect(item, i, sink)) : [];
}

function parseExpect(item: SNode, i: number, sink: IssueSink): ExpectRaw {
  const what = `expectation #${i + 1}`;
  const data = check(expectSchema, { node: item, what, where: `in ${what}`, keys: keysOf(expectSchema) }, sink);
  const failed: ExpectRaw = { span: item.span, ok: false, reach: true, probe: { kind: 'icmp' } };
  if (!data) return failed;
  if (data.tcp !== undefined && data.udp !== undefined) {
    sink.error(keySpanAt(item, [], 'udp'), IssueCode.BadValue, `${what} has both tcp: and udp:; a probe uses one of them`);
    return failed;
  }
  const probe =
    data.tcp !== undefined
      ? { kind: 'tcp' as const, port: data.tcp }
      : data.udp !== undefined
        ? { kind: 'udp' as const, port: data.udp }
        : { kind: 'icmp' as const };
  const within = data.within === undefined ? {} : { withinMs: data.within };
  return { span: item.span, ok: true, from: located(item, 'from', data.from), to: located(item, 'to', data.to), reach: data.reach ?? true, probe, ...within };
}
