// `nodes.NAME.firewall` -> FirewallRaw. The firewall mapping, each chain and each rule are
// checked on their own (one bad rule does not hide the others), then the rules local to one
// rule: from/saddr and to/daddr not both, ports only with proto tcp or udp. Rules are kept in
// build order: `rules:`, then `deny:` (action drop), then `allow:` (action accept).
import type { PortRange } from './types.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { parsePort, parseTarget } from './match-syntax.js';
import type { Target } from './match-syntax.js';
import { check, keysOf, located, locatedList } from './parse-util.js';
import type { Located } from './raw.js';
import type { ChainRaw, FirewallRaw, RuleRaw } from './raw-firewall.js';
import { CHAINS, chainShell, firewallShell, matchSchema, ruleSchema } from './schema-firewall.js';
import { quote } from './text.js';
import type { SNode } from './tree.js';
import { entryOf, isNull, keySpanAt, spanAt } from './tree.js';

/** Parse a node's firewall; undefined when it is not a mapping (problems reported). */
export function parseFirewall(node: string, n: SNode, sink: IssueSink): FirewallRaw | undefined {
  const what = `the firewall of node ${quote(node)}`;
  check(firewallShell, { node: n, what, where: `in ${what}`, keys: keysOf(firewallShell) }, sink);
  // Unknown keys beside the chains are reported above; the chains are still checked.
  if (n.kind !== 'map') return undefined;
  const out: { -readonly [K in (typeof CHAINS)[number]]?: ChainRaw } = {};
  for (const hook of CHAINS) {
    const e = entryOf(n, hook);
    if (e) out[hook] = parseChain(`chain ${quote(hook)} of node ${quote(node)}`, e.value, sink);
  }
  return { span: n.span, ...out };
}

const LISTS = [
  ['rules', undefined],
  ['deny', 'drop'],
  ['allow', 'accept'],
] as const;

function parseChain(what: string, n: SNode, sink: IssueSink): ChainRaw {
  const base = { span: n.span, policy: 'accept' as const, established: true, rules: [] };
  if (isNull(n)) return { ...base, ok: true };
  const data = check(chainShell, { node: n, what, where: `in ${what}`, keys: keysOf(chainShell) }, sink);
  // A bad policy or key is reported above; the rules of a chain mapping are still checked.
  if (n.kind !== 'map') return { ...base, ok: false };
  let ok = data !== undefined;
  const rules: RuleRaw[] = [];
  for (const [list, action] of LISTS) {
    const items = entryOf(n, list)?.value;
    if (items?.kind !== 'seq') continue;
    items.items.forEach((item, i) => {
      const r = parseRule(`${list === 'rules' ? 'rule' : list} #${i + 1} of ${what}`, item, action, sink);
      if (r) rules.push(r);
      else ok = false;
    });
  }
  return { span: n.span, ok, policy: data?.policy ?? 'accept', established: data?.established ?? true, rules };
}

function parseRule(what: string, n: SNode, action: 'drop' | 'accept' | undefined, sink: IssueSink): RuleRaw | undefined {
  const entity = { node: n, what, where: `in ${what}` };
  const data =
    action === undefined
      ? check(ruleSchema, { ...entity, keys: keysOf(ruleSchema) }, sink)
      : check(matchSchema, { ...entity, keys: keysOf(matchSchema) }, sink);
  if (!data) return undefined;
  let ok = true;
  for (const [a, b] of [
    ['from', 'saddr'],
    ['to', 'daddr'],
  ] as const) {
    if (data[a] !== undefined && data[b] !== undefined) {
      sink.error(keySpanAt(n, [], b), IssueCode.BadValue, `${what} has both ${a}: and ${b}:; ${b} is another name for ${a}, give one of them`);
      ok = false;
    }
  }
  for (const key of ['sport', 'dport'] as const) {
    if (data[key] === undefined || data.proto === 'tcp' || data.proto === 'udp') continue;
    const got = data.proto === undefined ? 'it has no proto:' : `not ${data.proto}`;
    sink.error(spanAt(n, [key]), IssueCode.BadValue, `${what}: ${key} needs proto: tcp or proto: udp (${got}); only TCP and UDP have ports`);
    ok = false;
  }
  if (!ok) return undefined;
  const targets = (k: 'from' | 'saddr' | 'to' | 'daddr'): Located<Target>[] => locatedList(n, k, data[k], parseTarget);
  const saddr = data.from !== undefined ? targets('from') : data.saddr !== undefined ? targets('saddr') : undefined;
  const daddr = data.to !== undefined ? targets('to') : data.daddr !== undefined ? targets('daddr') : undefined;
  const portsOf = (v: number | string | (number | string)[]): PortRange[] => (Array.isArray(v) ? v : [v]).map(parsePort);
  return {
    what,
    span: n.span,
    action: action ?? (data as { action: RuleRaw['action'] }).action,
    ...(data.proto !== undefined ? { proto: data.proto } : {}),
    ...(saddr ? { saddr } : {}),
    ...(daddr ? { daddr } : {}),
    ...(data.sport !== undefined ? { sport: portsOf(data.sport) } : {}),
    ...(data.dport !== undefined ? { dport: portsOf(data.dport) } : {}),
    ...(data.state !== undefined ? { state: [...new Set(Array.isArray(data.state) ? data.state : [data.state])] } : {}),
    ...(data.iif !== undefined ? { iif: located(n, 'iif', data.iif) } : {}),
    ...(data.oif !== undefined ? { oif: located(n, 'oif', data.oif) } : {}),
  };
}
