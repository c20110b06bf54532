// PURE: which of the objects found on a host are leftovers of labs that `down` can no longer
// remove (`nslab clean`). Ownership comes from markers the kernel and filesystem keep by
// themselves, so a lost or damaged journal does not mean lost ownership: a namespace's name is a
// symlink into the lab's group dir (/run/nslab-netns/<lab>/), host links carry the alias
// `nslab:<lab>:...`, nft tables are `inet nslab-<lab>` with the comment "nslab:<lab>", hosts files
// are symlinks to <state root>/<lab>/hosts. Anything without a marker is never a leftover. A state
// root other than /run/nslab tags its markers (`nslab@<tag>:<lab>`, group dir `<lab>@<tag>`,
// names/markers.ts): only markers of this root count, so another root's live labs are never ours.
import { labOfAlias, labOfGroup, labOfHostsTarget, labOfNetnsTarget, labOfNftTable } from '../names/markers.js';
import { isLabName } from '../names/rules.js';

/**
 * How a lab's journal reads (state/records.ts parseJournal, which down reads it with too), or
 * 'missing'. 'ok' tolerates one torn last line (a crash mid-write, which down handles).
 */
export type JournalHealth = 'ok' | 'damaged' | 'empty' | 'newer' | 'missing';

/** A process a journal records, with its /proc start time. */
export interface RecordedProc {
  readonly node: string;
  readonly name: string;
  readonly pid: number;
  readonly start: number;
}

/** What a scan of the host found (all read-only facts). */
export interface Observed {
  /** The state root (/run/nslab), for recognising hosts-file targets. */
  readonly stateRoot: string;
  /** Its tag in markers (model/names.ts ownerTag); undefined for /run/nslab, whose markers have none. */
  readonly owner?: string | undefined;
  /** Lab state directories by lab name. */
  readonly states: ReadonlyMap<
    string,
    { readonly journal: JournalHealth; readonly netns: readonly string[]; readonly procs: readonly RecordedProc[]; readonly hostGone?: string }
  >;
  /** Lock files `.lock-<lab>` and whether someone holds them now. */
  readonly locks: ReadonlyArray<{ readonly lab: string; readonly held: boolean }>;
  /** Symlinks in /run/netns and their targets. */
  readonly netnsLinks: ReadonlyArray<{ readonly name: string; readonly target: string }>;
  /** The group dirs (one per lab) in the namespace mount root, and the files in them. */
  readonly groups: ReadonlyArray<{ readonly group: string; readonly members: readonly string[] }>;
  /** Host links (name and alias). */
  readonly hostLinks: ReadonlyArray<{ readonly name: string; readonly alias?: string }>;
  /** Host nft tables of the `inet` family whose comment is "nslab:<lab>" for the lab they are named after. */
  readonly nftTables: readonly string[];
  /** /etc/netns/<netns>/hosts symlinks and their targets. */
  readonly hostsLinks: ReadonlyArray<{ readonly netns: string; readonly target: string }>;
}

/** Everything one lab left behind. */
export interface LabLeftovers {
  readonly lab: string;
  /**
   * 'lab': down cannot remove this lab, everything its markers name goes (the group dir at once).
   * 'strays': a lab down still handles, with namespaces its journal does not list (only those go).
   */
  readonly kind: 'lab' | 'strays';
  /** Why its objects are leftovers. */
  readonly reason: string;
  /** Namespace names (symlinks into the lab's group dir). */
  readonly netns: readonly string[];
  /** The group dir (and its mount), if present. */
  readonly groupDir: boolean;
  readonly links: readonly string[];
  /** The ownership marker (alias) each of `links` carries: all clean has to go on, shown before asking. */
  readonly marks: Readonly<Record<string, string>>;
  readonly nftTables: readonly string[];
  /** Namespaces whose /etc/netns/<ns>/hosts links into the lab's state. */
  readonly hosts: readonly string[];
  readonly processes: readonly RecordedProc[];
  /** The lab's state directory is to go. */
  readonly stateDir: boolean;
  /** The lab's lock file is to go. */
  readonly lockFile: boolean;
}

/** Why a lab's objects are leftovers; undefined for a lab down can still handle. */
function leftoverReason(o: Observed, lab: string): string | undefined {
  const s = o.states.get(lab);
  if (!s) return 'no state directory';
  if (s.journal === 'missing') return 'state directory without a journal';
  if (s.journal === 'empty') return 'empty journal';
  if (s.journal === 'damaged') return 'damaged journal';
  if (s.journal === 'newer') return 'journal of a newer nslab';
  // Its bridges and host ends went with the namespace that played host; what is left is marked.
  if (s.hostGone !== undefined) return `its host namespace ${s.hostGone} is gone`;
  return undefined;
}

/**
 * Group what was found by the lab its marker names, and keep the labs that down cannot handle:
 * no state, or a journal that is missing, empty or damaged (then everything the markers give
 * that lab is a leftover: its journal cannot say what it owns). A lab whose journal reads is
 * left alone, except for namespaces in its group that its journal does not list. A lab whose
 * lock someone holds is skipped: a verb is building or removing it.
 */
export function findLeftovers(o: Observed, groupRoot: string): LabLeftovers[] {
  const labs = new Set<string>();
  const netns = new Map<string, string[]>();
  const push = (m: Map<string, string[]>, lab: string, v: string): void => {
    labs.add(lab);
    m.set(lab, [...(m.get(lab) ?? []), v]);
  };
  for (const l of o.netnsLinks) {
    const lab = labOfNetnsTarget(groupRoot, l.name, l.target, o.owner);
    if (lab) push(netns, lab, l.name);
  }
  const groups = new Map(
    o.groups.flatMap((g) => {
      const lab = labOfGroup(g.group, o.owner);
      return lab === undefined ? [] : [[lab, g.members] as const];
    }),
  );
  for (const g of groups.keys()) labs.add(g);
  const links = new Map<string, string[]>();
  const marks: Record<string, string> = {};
  for (const l of o.hostLinks) {
    const lab = labOfAlias(l.alias, o.owner);
    if (lab) push(links, lab, l.name);
    if (lab) marks[l.name] = l.alias!;
  }
  const tables = new Map<string, string[]>();
  for (const t of o.nftTables) {
    const lab = labOfNftTable(t);
    if (lab) push(tables, lab, t);
  }
  const hosts = new Map<string, string[]>();
  for (const h of o.hostsLinks) {
    const lab = labOfHostsTarget(o.stateRoot, h.target);
    if (lab) push(hosts, lab, h.netns);
  }
  for (const lab of o.states.keys()) if (isLabName(lab)) labs.add(lab);
  const held = new Map(o.locks.filter((l) => isLabName(l.lab)).map((l) => [l.lab, l.held]));
  for (const lab of held.keys()) labs.add(lab);

  const out: LabLeftovers[] = [];
  for (const lab of [...labs].sort()) {
    // A verb holds the lab's lock: it is being built or removed; the next clean will tell.
    if (held.get(lab) === true) continue;
    const reason = leftoverReason(o, lab);
    if (reason === undefined) {
      // A readable journal: down owns this lab. Only namespaces it does not list are strays
      // (checked again under the lab's lock before anything is removed).
      const listed = new Set(o.states.get(lab)?.netns ?? []);
      const stray = (netns.get(lab) ?? []).filter((n) => !listed.has(n));
      if (stray.length > 0) out.push({ ...empty(lab, 'namespaces its journal does not list'), kind: 'strays', netns: stray.sort() });
      continue;
    }
    const s = o.states.get(lab);
    const item: LabLeftovers = {
      lab,
      kind: 'lab',
      reason,
      netns: [...(netns.get(lab) ?? [])].sort(),
      groupDir: groups.has(lab),
      links: [...(links.get(lab) ?? [])].sort(),
      marks: Object.fromEntries((links.get(lab) ?? []).map((n) => [n, marks[n]!])),
      nftTables: [...(tables.get(lab) ?? [])].sort(),
      hosts: [...(hosts.get(lab) ?? [])].sort(),
      processes: s?.procs ?? [],
      stateDir: s !== undefined,
      lockFile: held.has(lab),
    };
    if (!isEmpty(item)) out.push(item);
  }
  return out;
}

function empty(lab: string, reason: string): LabLeftovers {
  return {
    lab,
    kind: 'lab',
    reason,
    netns: [],
    groupDir: false,
    links: [],
    marks: {},
    nftTables: [],
    hosts: [],
    processes: [],
    stateDir: false,
    lockFile: false,
  };
}

/** Whether nothing is left of a lab. */
export function isEmpty(l: LabLeftovers): boolean {
  return l.netns.length + l.links.length + l.nftTables.length + l.hosts.length + l.processes.length === 0 && !l.groupDir && !l.stateDir && !l.lockFile;
}

/** The lines `nslab clean` prints for one lab: what would be removed. */
export function describeLeftovers(l: LabLeftovers, paths: { readonly state: string; readonly lock: string; readonly group: string }): string[] {
  const lines = [`lab ${l.lab} (${l.reason}):`];
  for (const p of l.processes) lines.push(`  process ${p.node}.${p.name} (PID ${p.pid})`);
  for (const n of l.netns) lines.push(`  namespace ${n}`);
  if (l.groupDir) lines.push(`  namespace mounts ${paths.group}`);
  // No journal of this state root lists these: say why nslab believes they are its own.
  for (const n of l.links) lines.push(`  host link ${n} (marked "${l.marks[n] ?? '?'}" but no journal knows it)`);
  for (const t of l.nftTables) lines.push(`  nft table inet ${t}`);
  for (const n of l.hosts) lines.push(`  hosts file /etc/netns/${n}/hosts`);
  if (l.stateDir) lines.push(`  state ${paths.state}`);
  if (l.lockFile) lines.push(`  lock file ${paths.lock}`);
  return lines;
}
