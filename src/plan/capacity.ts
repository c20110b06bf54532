// Whether a lab fits on a host, before anything is built: what the lab needs (file descriptors,
// kernel memory, namespaces, neighbour entries) against what the host allows, as refusals (up
// would fail part-way, or take the host down) and warnings (it builds, but traffic may suffer).
// Every message says how much is needed, how much there is, and how to get more. Pure.
import { logBudget, logCapOf } from '../model/log-cap.js';
import type { Topology } from '../model/types.js';

/**
 * Kernel memory per object, measured on Linux 6.x (Slab + Percpu + page tables, 400 objects,
 * 2 CPUs): an empty namespace 215 kB, of which 2 kB per-CPU; a veth pair on a bridge 105-130 kB
 * more, of which 5 kB per-CPU. The lab's processes come on top and are not counted.
 */
export const KB_PER_NETNS = 214;
export const KB_PER_NETNS_PER_CPU = 1;
export const KB_PER_VETH = 120;
export const KB_PER_VETH_PER_CPU = 3;
/**
 * Open files per namespace while `up` runs: the kernel layer keeps a namespace fd and a netlink
 * socket open for every namespace it touched (kernel/ns-table.ts), the host's included.
 */
export const FDS_PER_NETNS = 2;
/** Descriptors Node and nslab open besides (log files of processes, nft, the journal). */
export const FD_MARGIN = 16;
/** A warning when the lab would take more than this share of the memory available. */
const MEMORY_WARN_SHARE = 0.5;

/** What building a lab needs. */
export interface LabNeeds {
  /** Namespaces the kernel layer opens: every node's (created, adopted or already there). */
  readonly namespaces: number;
  /** Namespaces to create now (not there yet, not adopted with netns_of). */
  readonly newNamespaces: number;
  /** veth pairs to create now (at least one end in a new namespace). */
  readonly newVeths: number;
  /** Neighbour entries once every veth carries traffic: one at each end. */
  readonly neighbours: number;
  /** Declared processes, and the most their logs can take (kB): each cap × (keep + 1). */
  readonly processes: number;
  readonly logKb: number;
}

/** The host side, as kernel/host-limits.ts reads it (fields it could not read are absent). */
export interface HostView {
  readonly openFiles?: { readonly soft: number; readonly hard: number; readonly inUse: number };
  readonly memAvailableKb?: number;
  readonly memSource?: string;
  readonly cpus: number;
  readonly maxNetNamespaces?: number;
  /** Named namespaces on the host now (toward maxNetNamespaces). */
  readonly namedNetns: number;
  readonly neigh: { readonly cap: number; readonly capKnown: boolean; readonly entries: number };
  /**
   * The filesystem of the state directory: free kB, plus what the lab's logs take already (part
   * of their budget), and whether it is a tmpfs (RAM).
   */
  readonly stateFs?: { readonly path: string; readonly availKb: number; readonly tmpfs: boolean };
}

/** The verdict: refusals stop `up` before it changes anything; warnings are printed. */
export interface Capacity {
  readonly refusals: readonly string[];
  readonly warnings: readonly string[];
}

/** What the lab needs, given the names of the namespaces that exist already. */
export function labNeeds(t: Topology, existing: ReadonlySet<string>): LabNeeds {
  const nodes = [...t.nodes.values()];
  // A node whose name is not there yet gets its veths now, an adopted one (netns_of) included.
  const isNew = (name: string): boolean => {
    const n = t.nodes.get(name);
    return n !== undefined && !existing.has(n.netns);
  };
  const newVeths = t.links.filter((l) => (l.kind === 'p2p' ? isNew(l.a.node) || isNew(l.b.node) : isNew(l.end.node))).length;
  return {
    namespaces: nodes.length,
    newNamespaces: nodes.filter((n) => n.netnsOf === undefined && isNew(n.name)).length,
    newVeths,
    neighbours: 2 * t.links.length,
    ...logNeeds(t),
  };
}

/** Every declared process's log budget, in kB. */
function logNeeds(t: Topology): { processes: number; logKb: number } {
  const procs = [...t.nodes.values()].flatMap((n) => n.processes);
  return { processes: procs.length, logKb: Math.ceil(procs.reduce((s, p) => s + logBudget(logCapOf(p)), 0) / 1024) };
}

/** Kernel memory (kB) the new namespaces and veths take on a host with `cpus` CPUs. */
export function memoryNeedKb(n: LabNeeds, cpus: number): number {
  return n.newNamespaces * (KB_PER_NETNS + KB_PER_NETNS_PER_CPU * cpus) + n.newVeths * (KB_PER_VETH + KB_PER_VETH_PER_CPU * cpus);
}

/** Descriptors `up` holds at its peak: those open now, two per namespace and the host's, a margin. */
export function fdNeed(n: LabNeeds, inUse: number): number {
  return inUse + FDS_PER_NETNS * (n.namespaces + 1) + FD_MARGIN;
}

/** Compare a lab's needs with the host. */
export function checkCapacity(lab: string, n: LabNeeds, host: HostView): Capacity {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const fd = files(n, host);
  if (fd) refusals.push(fd);
  const ns = namespaces(n, host);
  if (ns) refusals.push(ns);
  const mem = memory(n, host);
  if (mem?.refuse) refusals.push(mem.text);
  else if (mem) warnings.push(mem.text);
  const logs = logRoom(n, host);
  if (logs?.refuse) refusals.push(logs.text);
  else if (logs) warnings.push(logs.text);
  // Said when the lab grows, not again on every up of a lab that is already there.
  const neigh = n.newVeths > 0 ? neighbours(n, host) : undefined;
  if (neigh) warnings.push(neigh);
  const prefix = (s: string): string => `lab ${lab}: ${s}`;
  return { refusals: refusals.map(prefix), warnings: warnings.map(prefix) };
}

function files(n: LabNeeds, host: HostView): string | undefined {
  const f = host.openFiles;
  if (!f) return undefined;
  const need = fdNeed(n, f.inUse);
  if (need <= f.soft) return undefined;
  // Without -S or -H, the shell's `ulimit -n N` sets both limits; root may raise the hard one.
  const raise = `raise it with \`ulimit -n ${need}\`${need <= f.hard ? '' : ` (as root: the hard limit is ${f.hard})`}`;
  return `needs about ${need} open files (${FDS_PER_NETNS} for each of its ${n.namespaces} namespaces and the host's, ${f.inUse} open already, ${FD_MARGIN} spare), but the limit is ${f.soft} (ulimit -n), ${need - f.soft} short: ${raise} and run up again`;
}

function namespaces(n: LabNeeds, host: HostView): string | undefined {
  const max = host.maxNetNamespaces;
  if (max === undefined || host.namedNetns + n.newNamespaces <= max) return undefined;
  const short = host.namedNetns + n.newNamespaces - max;
  return `needs ${n.newNamespaces} new network namespaces and ${host.namedNetns} exist, but user.max_net_namespaces is ${max}, ${short} short: raise it with \`sysctl -w user.max_net_namespaces=${host.namedNetns + n.newNamespaces}\``;
}

function memory(n: LabNeeds, host: HostView): { refuse: boolean; text: string } | undefined {
  const avail = host.memAvailableKb;
  const need = memoryNeedKb(n, host.cpus);
  if (avail === undefined || need <= avail * MEMORY_WARN_SHARE) return undefined;
  const what = `about ${mb(need)} of kernel memory for ${n.newNamespaces} namespaces and ${n.newVeths} veth pairs (not counting its processes)`;
  const source = host.memSource ?? 'MemAvailable';
  if (need > avail)
    return {
      refuse: true,
      text: `needs ${what}, but only ${mb(avail)} is available (${source}), ${mb(need - avail)} short: free memory or build a smaller lab`,
    };
  return { refuse: false, text: `takes ${what}, ${Math.round((100 * need) / avail)}% of the ${mb(avail)} available (${source})` };
}

/**
 * Logs are capped, but the caps must fit: on a tmpfs a full /run fails every writer on the host,
 * and its pages are RAM (counted against MemAvailable too).
 */
function logRoom(n: LabNeeds, host: HostView): { refuse: boolean; text: string } | undefined {
  const fs = host.stateFs;
  if (!fs || n.logKb === 0) return undefined;
  const ram = fs.tmpfs && host.memAvailableKb !== undefined && host.memAvailableKb < fs.availKb;
  const avail = ram ? host.memAvailableKb! : fs.availKb;
  if (n.logKb <= avail * MEMORY_WARN_SHARE) return undefined;
  const where = `${fs.path}${fs.tmpfs ? ' (tmpfs: RAM)' : ''}`;
  const what = `up to ${mb(n.logKb)} of process logs (${n.processes} processes, each log: { max } × (keep + 1))`;
  const room = `${mb(avail)} ${ram ? `of memory is available (${host.memSource ?? 'MemAvailable'}) for` : 'is free on'} ${where}`;
  if (n.logKb > avail)
    return {
      refuse: true,
      text: `needs ${what}, but only ${room}, ${mb(n.logKb - avail)} short: lower the processes' \`log: { max: ..., keep: ... }\` or free space`,
    };
  return { refuse: false, text: `may take ${what}, ${Math.round((100 * n.logKb) / avail)}% of the ${room}` };
}

function neighbours(n: LabNeeds, host: HostView): string | undefined {
  const { cap, capKnown, entries } = host.neigh;
  const room = Math.max(0, cap - entries);
  if (n.neighbours <= room) return undefined;
  const limit = capKnown
    ? `net.ipv4.neigh.default.gc_thresh3 is ${cap}`
    : `net.ipv4.neigh.default.gc_thresh3 cannot be read here and is assumed to be the default ${cap}`;
  return `needs about ${n.neighbours} neighbour (ARP/NDP) entries once every veth carries traffic, but the kernel's table, shared by all namespaces, has room for ${room} (${limit}, ${entries} in use), ${n.neighbours - room} short: packets will be dropped with "neighbour table overflow"; raise it in the initial namespace with \`sysctl -w net.ipv4.neigh.default.gc_thresh3=${entries + n.neighbours}\``;
}

function mb(kb: number): string {
  return kb >= 1024 * 1024 ? `${(kb / 1024 / 1024).toFixed(1)} GB` : `${Math.ceil(kb / 1024)} MB`;
}
