// PURE: the nft scripts nslab loads, as text for `nft -f` / libnftables. Everything nslab puts in
// a ruleset lives in one table per lab and namespace, `inet nslab-<lab>`, which each script
// replaces as a whole in one transaction; other tables (Docker's, the user's) are never named.
// Must not import anything effectful: golden tests pin these texts.
import type { Firewall, FirewallChain } from '../model/types.js';
import { markerHead, nftTableName, ruleMark } from '../names/markers.js';
import { familyOf, quote, renderRule } from './render-rule.js';

/** nft family of every nslab table: one table covers IPv4 and IPv6. */
export const NFT_FAMILY = 'inet';

/**
 * `table inet nslab-<lab> { comment "nslab:<lab>"; }`: the comment marks the table as ours. `mark`:
 * the marker minted by names/markers.ts markerHead (with the state root's tag) when it is not the plain one.
 */
function tableHead(lab: string, mark = markerHead(lab)): string {
  return `table ${NFT_FAMILY} ${nftTableName(lab)} { comment ${quote(mark)}; }`;
}

/**
 * Create-then-delete-then-define: `table X {}` makes the delete succeed when X is absent, and the
 * delete drops whatever an earlier run left, so loading the script twice gives the same ruleset.
 * nft runs a whole script as one transaction: a failure anywhere leaves the old table in place.
 */
function replaceTable(lab: string, body: readonly string[], mark = markerHead(lab)): string {
  const t = `${NFT_FAMILY} ${nftTableName(lab)}`;
  return [tableHead(lab, mark), `delete table ${t}`, `table ${t} {`, `\tcomment ${quote(mark)}`, ...body, '}', ''].join('\n');
}

/**
 * Create-then-flush-then-define, for tables whose chains never change (a node firewall always
 * declares input, forward and output): same result as replaceTable, but on a table that does not
 * exist yet it costs 0.5 ms instead of 14 ms, because deleting a table (or flushing rules) makes
 * the kernel wait for an RCU grace period before the commit returns, and a new namespace has
 * nothing to flush. Re-declaring an existing base chain only updates its policy.
 */
function refillTable(lab: string, body: readonly string[], mark?: string): string {
  const t = `${NFT_FAMILY} ${nftTableName(lab)}`;
  return [tableHead(lab, mark), `flush table ${t}`, `table ${t} {`, ...body, '}', ''].join('\n');
}

function chain(name: string, head: string, rules: readonly string[]): string[] {
  return [`\tchain ${name} {`, `\t\t${head}`, ...rules.map((r) => `\t\t${r}`), '\t}'];
}

/**
 * Script that (re)creates the lab's table inside a node's namespace, idempotently and in one
 * transaction, with base chains input, forward and output (priority filter). A hook the firewall
 * does not declare gets an empty chain with policy accept, which filters nothing but keeps the
 * chain set fixed (see refillTable). Rule n of chain C carries `comment "nslab:<lab>:<C>#<n>"`
 * (n from 1); the implied established/related rule carries `#0`.
 * `ip netns exec <lab>-<node> nft -f -`
 */
export function renderNodeFirewall({ lab, fw, mark }: { lab: string; fw: Firewall; mark?: string | undefined }): string {
  return renderNodeTable({ lab, fw, masquerade: [], mark });
}

/**
 * The node's table: its firewall (renderNodeFirewall; none declared: three empty accept chains)
 * and, for interfaces with `masquerade: true`, a nat chain on postrouting that source-NATs what
 * leaves through them to the interface's address: `oifname "IFACE" masquerade`, tagged
 * `nslab:<lab>:masquerade:<IFACE>`. The postrouting chain is declared only when something is
 * masqueraded; when masquerade is removed, the refill empties it (an empty accept chain, which
 * changes nothing) and it goes with the table at `down`.
 */
export function renderNodeTable({
  lab,
  fw,
  masquerade,
  mark,
}: {
  lab: string;
  fw?: Firewall | undefined;
  masquerade: readonly string[];
  mark?: string | undefined;
}): string {
  const body: string[] = [];
  for (const hook of ['input', 'forward', 'output'] as const) {
    body.push(...nodeChain(lab, hook, fw?.[hook] ?? { policy: 'accept', established: false, rules: [] }));
  }
  if (masquerade.length > 0) {
    const rules = masquerade.map((i) => `oifname ${quote(i)} masquerade comment ${quote(ruleMark(lab, `masquerade:${i}`))}`);
    body.push(...chain('postrouting', 'type nat hook postrouting priority srcnat; policy accept;', rules));
  }
  return refillTable(lab, body, mark);
}

function nodeChain(lab: string, hook: 'input' | 'forward' | 'output', c: Pick<FirewallChain, 'policy' | 'established' | 'rules'>): string[] {
  const rules: string[] = [];
  if (c.established) rules.push(`ct state established,related accept comment ${quote(ruleMark(lab, `${hook}#0`))}`);
  c.rules.forEach((r, i) => rules.push(...renderRule(r, ruleMark(lab, `${hook}#${i + 1}`))));
  return chain(hook, `type filter hook ${hook} priority filter; policy ${c.policy};`, rules);
}

/** A network whose subnets leave the host masqueraded. */
export interface NatNetwork {
  readonly network: string;
  /** Kernel name of the network's bridge in the host namespace. */
  readonly bridge: string;
  readonly subnets: readonly string[];
}

/** A published port, resolved: host port -> node address and port. */
export interface HostPublish {
  readonly node: string;
  /** Bridge the node sits behind, when it is on a lab network (forward accept for new DNAT flows). */
  readonly bridge?: string;
  readonly hostPort: number;
  readonly nodePort: number;
  readonly proto: 'tcp' | 'udp';
  /** Only this (IPv4) host address; every local address when absent. */
  readonly hostAddress?: string;
  /** IPv4 address of the node. */
  readonly nodeAddress: string;
  /** IPv4 subnet the node's address is in: nodes there reach it through the host (hairpin). */
  readonly subnet: string;
}

/**
 * Script that (re)creates the lab's table in the host namespace: masquerade for NAT networks,
 * DNAT for published ports (from outside, from the host itself, and hairpin from the lab) and a
 * forward chain that accepts lab traffic. Chains never use policy drop: the host's verdict on
 * traffic that is not the lab's stays the host's. An accept here does not override a drop in
 * another table (Docker's forward policy drop still drops): nftables evaluates every base chain
 * on a hook and any drop is final. IPv4 forwarding is a sysctl, set by the caller.
 * `nft -f -` in the host namespace
 */
export function renderHostTable({
  lab,
  nat,
  publish,
  mark,
}: {
  lab: string;
  nat: readonly NatNetwork[];
  publish: readonly HostPublish[];
  mark?: string | undefined;
}): string {
  const tag = (s: string): string => `comment ${quote(ruleMark(lab, s))}`;
  const post: string[] = [];
  const fwd: string[] = [];
  const dnat: string[] = [];
  for (const n of nat) {
    const br = quote(n.bridge);
    for (const s of n.subnets) post.push(`${familyOf(s)} saddr ${s} oifname != ${br} masquerade ${tag(`nat:${n.network}`)}`);
    fwd.push(`iifname ${br} accept ${tag(`forward:${n.network}`)}`);
    fwd.push(`oifname ${br} ct state established,related accept ${tag(`forward:${n.network}`)}`);
  }
  for (const p of publish) {
    const name = `publish:${p.node}:${p.hostPort}/${p.proto}`;
    const to = p.hostAddress !== undefined ? `ip daddr ${p.hostAddress}` : 'ip daddr != 127.0.0.0/8';
    dnat.push(`fib daddr type local ${to} ${p.proto} dport ${p.hostPort} dnat ip to ${p.nodeAddress}:${p.nodePort} ${tag(name)}`);
    // Without this a node reaching a neighbour through the host gets the reply straight from the
    // neighbour's own address and drops it: masquerade makes the reply come back via the host.
    post.push(`ip saddr ${p.subnet} ip daddr ${p.nodeAddress} ${p.proto} dport ${p.nodePort} ct status dnat masquerade ${tag(`hairpin:${name}`)}`);
    if (p.bridge !== undefined) fwd.push(`oifname ${quote(p.bridge)} ct status dnat accept ${tag(name)}`);
  }
  const body = [
    // nft 1.0.6 accepts the name dstnat only on prerouting; -100 is its value (same place in order).
    ...(dnat.length ? chain('prerouting', 'type nat hook prerouting priority dstnat; policy accept;', dnat) : []),
    ...(dnat.length ? chain('output', 'type nat hook output priority -100; policy accept;', dnat) : []),
    ...(fwd.length ? chain('forward', 'type filter hook forward priority filter; policy accept;', dedupe(fwd)) : []),
    ...(post.length ? chain('postrouting', 'type nat hook postrouting priority srcnat; policy accept;', post) : []),
  ];
  return replaceTable(lab, body, mark);
}

function dedupe(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

/**
 * Script that removes the lab's table and succeeds also when it is absent (the same create-first
 * idiom), so down and crash recovery need no "does it exist" round trip. Nothing else is touched.
 * `nft delete table inet nslab-<lab>`
 */
export function renderDeleteTable(lab: string): string {
  return `${tableHead(lab)}\ndelete table ${NFT_FAMILY} ${nftTableName(lab)}\n`;
}
