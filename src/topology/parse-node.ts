// One `nodes.NAME` entry -> NodeRaw: the node's own fields, then each interface and each route
// checked on its own. Rules local to one interface or one route (exactly one of network/peer/
// host, host_address only with host, a route needs via or dev) are checked here too. The
// firewall and the published ports are parsed in parse-firewall.ts and parse-publish.ts.
import type * as z from 'zod';
import { processNameOf } from '../names/rules.js';
import { parseAddress, parseCidr } from '../util/ip.js';
import { parseAddressSpec, parseDestination } from './address-syntax.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { splitEndpoint } from './name-rules.js';
import { parseExec, parseFiles, words } from './parse-files.js';
import { parseFirewall } from './parse-firewall.js';
import { parseImpair } from './parse-impair.js';
import { parsePublishList } from './parse-publish.js';
import { check, checkName, keysOf, located, locatedList } from './parse-util.js';
import type { AttachRaw, IfaceRaw, NodeRaw, ProcessRaw, RouteRaw } from './raw.js';
import { interfaceSchema, nodeShell, routeSchema } from './schema.js';
import type { processSchema } from './schema-process.js';
import { familyName, quote } from './text.js';
import type { SEntry, SNode } from './tree.js';
import { entryOf, isNull, keySpanAt, spanAt } from './tree.js';

type IfaceData = z.infer<typeof interfaceSchema>;

/** Parse one node entry; problems go to the sink. */
export function parseNode(e: SEntry, sink: IssueSink): NodeRaw {
  const nameOk = checkName('node', e, sink);
  const what = `node ${quote(e.key)}`;
  const empty = isNull(e.value);
  const data = empty ? {} : check(nodeShell, { node: e.value, what, where: `in ${what}`, keys: keysOf(nodeShell) }, sink);
  const interfaces = new Map<string, IfaceRaw>();
  const ifNode = entryOf(e.value, 'interfaces')?.value;
  for (const ie of ifNode?.kind === 'map' ? ifNode.entries : []) interfaces.set(ie.key, parseIface(e.key, ie, sink));
  const routesNode = entryOf(e.value, 'routes')?.value;
  const routes = routesNode?.kind === 'seq' ? routesNode.items.map((r, i) => parseRoute(e.key, r, i, sink)) : [];
  if (data) {
    if (interfaces.size === 0) sink.warn(e.keySpan, IssueCode.NoInterfaces, `${what} has no interfaces: it is an empty namespace with only lo`);
  }
  const interfacesOk = (ifNode === undefined || ifNode.kind === 'map' || isNull(ifNode)) && [...interfaces.values()].every((i) => i.ok);
  const fwNode = entryOf(e.value, 'firewall')?.value;
  const firewall = fwNode === undefined ? undefined : parseFirewall(e.key, fwNode, sink);
  const pubNode = entryOf(e.value, 'publish')?.value;
  const publish = pubNode === undefined ? [] : parsePublishList(e.key, pubNode, sink);
  if (data && data.forwarding !== true) {
    for (const i of interfaces.values()) {
      if (i.masquerade) {
        sink.error(
          i.masquerade.span,
          IssueCode.BadValue,
          `interface ${quote(`${e.key}:${i.name}`)}: masquerade: true needs forwarding: true on node ${quote(e.key)} (only a router's forwarded traffic is masqueraded)`,
        );
      }
    }
  }
  return {
    name: e.key,
    span: e.keySpan,
    ok: nameOk && data !== undefined,
    interfacesOk,
    forwarding: data?.forwarding ?? false,
    interfaces,
    routes,
    ...(firewall ? { firewall } : {}),
    publish,
    isolate: [...new Set(data?.isolate ?? [])],
    ...(data?.hostname === undefined ? {} : { hostname: data.hostname }),
    ...(data?.netns_of === undefined ? {} : { netnsOf: data.netns_of }),
    ...(data?.machine === undefined ? {} : { machine: located(e.value, 'machine', data.machine) }),
    processes: parseProcesses(what, e.value, data?.processes ?? [], sink),
    files: parseFiles(what, entryOf(e.value, 'files')?.value, sink),
    exec: parseExec(what, entryOf(e.value, 'exec')?.value, sink),
  };
}

type ProcessData = z.infer<typeof processSchema>;

/** The node's processes; a missing name defaults to the command's base name, names must be unique. */
function parseProcesses(what: string, node: SNode, list: readonly ProcessData[], sink: IssueSink): ProcessRaw[] {
  const seen = new Set<string>();
  return list.map((p, i) => {
    const span = spanAt(node, ['processes', i]);
    const command = words(p.command);
    const name = p.name ?? (processNameOf(command[0] ?? '') || `p${i + 1}`);
    if (command.length === 0 || command[0] === '') sink.error(span, IssueCode.BadValue, `${what}: process #${i + 1} has an empty command`);
    if (seen.has(name)) sink.error(span, IssueCode.BadValue, `${what}: two processes are named ${quote(name)}; give each its own name:`);
    seen.add(name);
    const ready = p.ready === undefined ? {} : { ready: 'tcp' in p.ready ? { tcp: p.ready.tcp } : { command: words(p.ready.command) } };
    return {
      name,
      command,
      span,
      ...(p.env ? { env: p.env } : {}),
      ...(p.cwd === undefined ? {} : { cwd: p.cwd }),
      ...(p.user === undefined ? {} : { user: p.user }),
      ...ready,
      ...(p.ready_timeout === undefined ? {} : { readyTimeoutMs: p.ready_timeout * 1000 }),
      ...(p.log === undefined
        ? {}
        : { log: { ...(p.log.max === undefined ? {} : { maxBytes: p.log.max }), ...(p.log.keep === undefined ? {} : { keep: p.log.keep }) } }),
    };
  });
}

function parseIface(node: string, e: SEntry, sink: IssueSink): IfaceRaw {
  const nameOk = checkName('interface', e, sink);
  const what = `interface ${quote(`${node}:${e.key}`)}`;
  const data = check(interfaceSchema, { node: e.value, what, where: `in ${what}`, keys: keysOf(interfaceSchema) }, sink);
  const base = { node, name: e.key, span: e.keySpan };
  if (!data) return { ...base, ok: false, addresses: [] };
  const attach = attachment(data, e.value, what, sink);
  const addresses = locatedList(e.value, 'address', data.address, parseAddressSpec);
  const mtu = data.mtu === undefined ? {} : { mtu: data.mtu };
  const masquerade = data.masquerade === true ? { masquerade: { value: true as const, span: keySpanAt(e.value, [], 'masquerade') } } : {};
  const impair = parseImpair(data, e.value, what, sink);
  return { ...base, ok: nameOk && attach !== undefined, addresses, ...mtu, ...masquerade, ...(attach ? { attach } : {}), ...(impair ? { impair } : {}) };
}

/** Exactly one of network/peer/host; host_address only with host. */
function attachment(d: IfaceData, n: SNode, what: string, sink: IssueSink): AttachRaw | undefined {
  const kinds = (['network', 'peer', 'host'] as const).filter((k) => d[k] !== undefined);
  if (d.host_address !== undefined && d.host === undefined) {
    sink.error(keySpanAt(n, [], 'host_address'), IssueCode.BadValue, `${what}: host_address is only for interfaces with host: true`);
  }
  if (kinds.length === 0) {
    sink.error(n.span, IssueCode.MissingKey, `${what} needs one of network:, peer: or host: true (what its veth connects to)`);
    return undefined;
  }
  if (kinds.length > 1) {
    for (const k of kinds.slice(1))
      sink.error(keySpanAt(n, [], k), IssueCode.BadValue, `${what} has both ${kinds[0]}: and ${k}:; an interface connects to exactly one of them`);
    return undefined;
  }
  if (d.network !== undefined) return { kind: 'network', network: located(n, 'network', d.network) };
  if (d.peer !== undefined) return { kind: 'peer', peer: located(n, 'peer', splitEndpoint(d.peer)) };
  return { kind: 'host', hostAddresses: locatedList(n, 'host_address', d.host_address, (s) => parseCidr(s)!) };
}

function parseRoute(node: string, item: SNode, i: number, sink: IssueSink): RouteRaw {
  const what = `route #${i + 1} of node ${quote(node)}`;
  const data = check(routeSchema, { node: item, what, where: `in ${what}`, keys: keysOf(routeSchema) }, sink);
  if (!data) return { span: item.span, ok: false };
  const via = data.via === undefined ? undefined : located(item, 'via', parseAddress(data.via)!);
  const to = located(item, 'to', parseDestination(data.to, via?.value.family));
  const dev = data.dev === undefined ? {} : { dev: located(item, 'dev', data.dev) };
  let ok = true;
  if (via && via.value.family !== to.value.family) {
    sink.error(
      via.span,
      IssueCode.BadValue,
      `${what}: via ${via.value.address} is ${familyName(via.value.family)} but the destination is ${familyName(to.value.family)}`,
    );
    ok = false;
  }
  if (!via && data.dev === undefined) {
    sink.error(item.span, IssueCode.MissingKey, `${what} needs via: (a next hop) or dev: (an interface), or both`);
    ok = false;
  }
  return { span: item.span, ok, to, ...(via ? { via } : {}), ...dev };
}
