// What a node's resolver uses for names that are not node names (those come from the lab's hosts
// file). Without a file of its own a node gets the host's /etc/resolv.conf, whose servers it
// usually cannot reach: a program that looks up a name (python3 -m http.server resolves the
// host name at start) then waits out glibc's default 5 s timeout, twice. So a node that can reach
// the host's resolvers (it is on a `nat: true` network) gets them with a 1 s timeout, and any
// other node a resolver on its own loopback, where nothing listens: the query is refused at once
// (ICMP port unreachable -> ECONNREFUSED) and the lookup fails immediately. Pure text; lab/resolv.ts
// writes it and links it into /etc/netns/<netns>/resolv.conf.
import type { Node, Topology } from '../model/types.js';

/** The parts of a resolv.conf(5) that a node's copy keeps. */
export interface ResolvConf {
  readonly nameservers: readonly string[];
  /** `search` (or `domain`) words, in order. */
  readonly search: readonly string[];
  /** `options` words, in order. */
  readonly options: readonly string[];
}

/** Which file a node gets. */
export type ResolvKind = 'host' | 'none';

/** glibc uses the first three nameservers (MAXNS). */
const MAXNS = 3;
/** One try of one second per server: a lookup that cannot succeed costs at most that. */
const FAST = ['timeout:1', 'attempts:1'];

/** Parse resolv.conf text (comments start with # or ;). */
export function parseResolv(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  const options: string[] = [];
  for (const line of text.split('\n')) {
    const [key, ...words] = line
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (key === 'nameserver' && words[0]) nameservers.push(words[0]);
    // The last of `search` and `domain` wins (resolv.conf(5)).
    else if (key === 'search' || key === 'domain') search = words.filter((w) => w !== '');
    else if (key === 'options') options.push(...words.filter((w) => w !== ''));
  }
  return { nameservers, search, options };
}

/**
 * Whether a nameserver address is one a node cannot reach through the lab's NAT: the host's
 * loopback (systemd-resolved's 127.0.0.53, a local dnsmasq) is the node's own loopback inside its
 * namespace, and a scoped (link-local `%iface`) address names an interface the node does not have.
 */
export function unreachableServer(addr: string): boolean {
  const a = addr.toLowerCase();
  return /^127\./.test(a) || a === '::1' || a === '0.0.0.0' || a === '::' || a.includes('%') || a.startsWith('fe80:');
}

/** The host's resolvers a node can use: its configuration minus the servers it cannot reach. */
export function reachableResolv(host: ResolvConf): ResolvConf | undefined {
  const nameservers = host.nameservers.filter((n) => !unreachableServer(n)).slice(0, MAXNS);
  return nameservers.length === 0 ? undefined : { ...host, nameservers };
}

/** Whether a node's traffic to the host's resolvers is masqueraded out (it is on a `nat: true` network). */
export function reachesHostResolvers(t: Topology, node: Node): boolean {
  let nat = natNodes.get(t);
  if (!nat) {
    // Once per topology: asked for every node, a scan of every link each time is quadratic.
    nat = new Set(t.links.flatMap((l) => (l.kind === 'bridged' && t.networks.get(l.network)?.nat === true ? [l.end.node] : [])));
    natNodes.set(t, nat);
  }
  return nat.has(node.name);
}

/** Per topology (immutable), the nodes with an interface on a NAT network. */
const natNodes = new WeakMap<Topology, ReadonlySet<string>>();

/** The file kind of a node: the host's resolvers when it can reach some, else none. */
export function resolvKind(t: Topology, node: Node, host: ResolvConf | undefined): ResolvKind {
  return host !== undefined && reachableResolv(host) !== undefined && reachesHostResolvers(t, node) ? 'host' : 'none';
}

/** resolv.conf(5) text of a kind (`host` needs the host's configuration). */
export function renderResolv(lab: string, kind: ResolvKind, host: ResolvConf | undefined): string {
  const head = `# nslab lab ${lab}: written by nslab up, removed by nslab down. Node names come from the lab's hosts file.`;
  const usable = host && reachableResolv(host);
  if (kind === 'host' && usable) {
    // The host's own timeout/attempts are replaced: later options win, but a copy without them is clearer.
    const options = [...usable.options.filter((o) => !/^(timeout|attempts):/.test(o)), ...FAST];
    return (
      [
        head,
        "# Other names: the host's resolvers, reached through the lab's NAT; one 1 s try each.",
        ...usable.nameservers.map((n) => `nameserver ${n}`),
        ...(usable.search.length > 0 ? [`search ${usable.search.join(' ')}`] : []),
        `options ${options.join(' ')}`,
      ].join('\n') + '\n'
    );
  }
  return (
    [
      head,
      '# Other names: no resolver is reachable from this node. Nothing listens on its own 127.0.0.1:53,',
      '# so a lookup is refused and fails at once (run a DNS server there and it is used).',
      'nameserver 127.0.0.1',
      `options ${FAST.join(' ')}`,
    ].join('\n') + '\n'
  );
}
