// What `up` needs from the host besides room (lab/capacity.ts): libnftables for NAT, firewalls,
// published ports and masquerade, and every program it will run (the declared processes' commands, `ip`,
// and util-linux's unshare/nsenter/runuser for isolated nodes and `user:`). Checked before
// anything changes, so a missing piece is one line naming it and the package, exit 1, and the
// host untouched; a dry run gets the same lines as warnings (like capacity refusals) and goes on.
import type { Kernel } from '../port/kernel.js';
import { installHint, LIBNFTABLES } from '../ops/missing.js';
import type { Processes } from '../port/processes.js';
import type { Topology } from '../model/types.js';
import type { Owned } from '../plan/live.js';
import { NslabError } from '../util/errors.js';

/** What the preflight found. */
export interface Preflight {
  /** `warning: ...` lines (dry run only: what up would refuse). */
  readonly warnings: readonly string[];
  /** nftables cannot be read here (dry run only): plan as if the lab had no tables yet. */
  readonly skipNft: boolean;
}

/**
 * Check the host has what the lab uses. Throws NslabError (exit 1) naming the first thing
 * missing, or with dryRun returns it as warnings.
 */
export function preflight(
  t: Topology,
  kernel: Kernel,
  owned: Owned,
  opts: {
    readonly dryRun?: boolean;
    readonly findCommand: Processes['findCommand'];
    /** Other features of the lab that need nftables, in words (loss without sch_netem). */
    readonly nftUses?: readonly string[];
    /** Built in the user's own user namespace (lab/rootless.ts): what it cannot have is refused. */
    readonly rootless?: RootlessOptions;
  },
): Preflight {
  const problems: string[] = [];
  const limits = opts.rootless ? rootlessLimits(t, opts.rootless) : [];
  if (limits.length > 0 && !opts.dryRun) throw new NslabError('rootless', `lab ${t.name}: ${limits.join('; ')}; nothing was changed`, 1);
  problems.push(...limits);
  const uses = [...nftFeatures(t), ...(opts.nftUses ?? [])];
  const hasTables = [...owned.values()].some((r) => r.op.op === 'nft.load');
  // Asked only of a lab with tables to make or remove: the answer loads libnftables (~5 ms).
  const nftWhy = uses.length > 0 || hasTables ? kernel.nftMissing() : undefined;
  if (nftWhy !== undefined) {
    if (uses.length > 0) problems.push(`${joinWords(uses)} ${uses.length > 1 ? 'need' : 'needs'} ${LIBNFTABLES}`);
    else if (hasTables) problems.push(`removing the nftables tables of its earlier up needs ${LIBNFTABLES}`);
  }
  problems.push(...missingPrograms(t, opts.findCommand));
  if (problems.length > 0 && !opts.dryRun) {
    throw new NslabError('missing-dependency', `lab ${t.name}: ${problems.join('; ')}; nothing was changed`, 1);
  }
  return { warnings: problems.map((p) => `warning: up would refuse: ${p}`), skipNft: nftWhy !== undefined };
}

/** What a rootless lab's limits depend on (lab/rootless.ts). */
export interface RootlessOptions {
  /** The lowest port the user may bind on their own network (net.ipv4.ip_unprivileged_port_start there). */
  readonly portStart: number;
  /** The user-mode network stack found (slirp4netns), or undefined when none is installed. */
  readonly netstack: string | undefined;
}

/** The Debian package rootless nat: and publish: need. */
export const NETSTACK_PACKAGE = 'slirp4netns';

/**
 * What a rootless lab cannot have. Its host is a network namespace inside the user's user
 * namespace: NAT and published ports reach the user's own network only through a user-mode
 * network stack (slirp4netns, lab/uplink.ts), which needs to be installed; a published port must
 * be one the user may bind there, on every address (the stack opens it; inside, the traffic
 * arrives at the uplink's address, never at the one the file names). Each refusal is one line.
 */
export function rootlessLimits(t: Topology, o: RootlessOptions): string[] {
  const nat = [...t.networks.values()].filter((n) => n.nat).map((n) => n.name);
  const pubs = [...t.nodes.values()].flatMap((n) => n.publish.map((p) => ({ node: n.name, p })));
  const out: string[] = [];
  if (o.netstack === undefined && (nat.length > 0 || pubs.length > 0)) {
    const what = [
      ...(nat.length > 0 ? [`nat: (${where('network', nat)})`] : []),
      ...(pubs.length > 0 ? [`publish: (${where('node', [...new Set(pubs.map((x) => x.node))])})`] : []),
    ];
    out.push(
      `${what.join(' and ')} ${what.length > 1 ? 'need' : 'needs'} a user-mode network stack in rootless mode: install the Debian package ${NETSTACK_PACKAGE} (or run it with sudo)`,
    );
  }
  const low = pubs.filter((x) => x.p.hostPort < o.portStart);
  if (low.length > 0) {
    const ports = low.map((x) => `${x.p.hostPort} (node ${x.node})`).join(', ');
    out.push(
      `publish: port${low.length > 1 ? 's' : ''} ${ports} below ${o.portStart}, the lowest you may open (net.ipv4.ip_unprivileged_port_start): publish on ${o.portStart} or above, or run it with sudo`,
    );
  }
  const addressed = pubs.filter((x) => x.p.hostAddress !== undefined);
  if (addressed.length > 0) {
    const shown = addressed.map((x) => `${x.p.hostAddress}:${x.p.hostPort} (node ${x.node})`).join(', ');
    out.push(`publish: ${shown} names a host address; rootless ports open on all of yours: leave the address out, or run it with sudo`);
  }
  return out;
}

/** The nftables features a lab uses, in words, naming where (e.g. "NAT (network br0)"). */
export function nftFeatures(t: Topology): string[] {
  const nat = [...t.networks.values()].filter((n) => n.nat).map((n) => n.name);
  const fw = [...t.nodes.values()].filter((n) => n.firewall !== undefined).map((n) => n.name);
  const pub = [...t.nodes.values()].filter((n) => n.publish.length > 0).map((n) => n.name);
  // A node that masquerades gets a table of its own even without a firewall.
  const masq = [...t.nodes.values()].filter((n) => n.firewall === undefined && [...n.interfaces.values()].some((i) => i.masquerade)).map((n) => n.name);
  return [
    ...(nat.length > 0 ? [`NAT (${where('network', nat)})`] : []),
    ...(fw.length > 0 ? [`${fw.length > 1 ? 'firewalls' : 'a firewall'} (${where('node', fw)})`] : []),
    ...(pub.length > 0 ? [`published ports (${where('node', pub)})`] : []),
    ...(masq.length > 0 ? [`masquerade (${where('node', masq)})`] : []),
  ];
}

/** Commands the lab's processes run, and the programs nslab runs them with, that are not installed. */
function missingPrograms(t: Topology, findCommand: Processes['findCommand']): string[] {
  const out: string[] = [];
  const tools = new Set<string>();
  for (const node of t.nodes.values()) {
    // An isolated node's namespaces are held by a shell that sleeps, processes or not.
    if (node.isolate.size > 0) tools.add('ip').add('unshare').add('nsenter').add('sh').add('sleep');
    if (node.isolate.has('uts')) tools.add('hostname');
    // Files are placed by a shell script in the node (lab/files-script.ts).
    if (node.files.length > 0) for (const t of ['mount', 'umount', 'mountpoint', 'awk', 'cp', 'chmod', 'chown', 'mkdir']) tools.add(t);
    for (const step of node.exec) {
      const cmd = step.command[0];
      if (cmd !== undefined && findCommand(cmd, step.env?.['PATH'] ?? process.env['PATH'] ?? '/usr/bin:/bin') === undefined) {
        out.push(
          `node ${node.name}: exec step ${step.command.join(' ')}: command not found: ${cmd} (${installHint(cmd) ?? 'install it on the host or give its full path'}; nodes run the host's programs)`,
        );
      }
    }
    for (const p of node.processes) {
      tools.add('ip');
      if (p.user !== undefined) tools.add('runuser');
      const path = p.env?.['PATH'] ?? process.env['PATH'] ?? '/usr/bin:/bin';
      const commands = [p.command[0], p.ready && 'command' in p.ready ? p.ready.command[0] : undefined];
      for (const cmd of new Set(commands)) {
        if (cmd === undefined || findCommand(cmd, path, p.cwd) !== undefined) continue;
        const hint = installHint(cmd);
        out.push(
          `process ${node.name}.${p.name}: command not found: ${cmd} (${hint ?? 'install it on the host or give its full path'}; nodes run the host's programs)`,
        );
      }
    }
  }
  for (const tool of tools) {
    if (findCommand(tool) === undefined)
      out.push(`starting processes (and holding isolated nodes' namespaces) needs ${tool} (${installHint(tool) ?? 'install it'})`);
  }
  return out.slice(0, 5);
}

function where(kind: string, names: readonly string[]): string {
  const shown = names.slice(0, 3).join(', ');
  return `${kind}${names.length > 1 ? 's' : ''} ${shown}${names.length > 3 ? `, and ${names.length - 3} more` : ''}`;
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Namespaces whose nft tables a lab's journal owns (show and down read or remove only those). */
export function nftNamespaces(owned: Owned): Set<string> {
  return new Set([...owned.values()].flatMap((r) => (r.op.op === 'nft.load' ? [r.op.ns] : [])));
}
