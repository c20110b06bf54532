// The host port: what the host allows a lab (limits), the named network namespaces, the markers
// that prove nslab ownership without a journal (for `clean`), the output pipes of processes, and
// the namespaces made ahead for a big lab.

/** What the kernel's neighbour (ARP) table allows and holds now. */
export interface NeighLimits {
  /** gc_thresh3: the hard cap on entries, for all namespaces together. */
  readonly cap: number;
  /** False when nslab cannot read it here (not in the initial namespace) and assumed the default. */
  readonly capKnown: boolean;
  /** Entries in the table now (all namespaces), 0 when unknown. */
  readonly entries: number;
}

/** Room on the filesystem of the state directory. */
export interface StateFs {
  readonly path: string;
  readonly availKb: number;
  /** A tmpfs (/run usually is): what it holds is RAM. */
  readonly tmpfs: boolean;
}

/** The host's limits and current use, as far as they can be read here. */
export interface HostLimits {
  /** RLIMIT_NOFILE of this process. */
  readonly openFiles?: { readonly soft: number; readonly hard: number; readonly inUse: number };
  /** kB the kernel can still hand out. */
  readonly memAvailableKb?: number;
  /** Where memAvailableKb comes from, for messages. */
  readonly memSource?: 'MemAvailable' | 'cgroup memory.max';
  /** Possible CPUs. */
  readonly cpus: number;
  readonly maxNetNamespaces?: number;
  readonly neigh: NeighLimits;
  /** The filesystem holding the state directory (process logs go there). */
  readonly stateFs?: StateFs;
}

/** Pre-made namespaces, taken in order (handed to the kernel port, which names them). */
export interface NetnsPool {
  /** The fd of a fresh empty namespace, or undefined when there is no more. */
  take(): number | undefined;
  /** Stop making them and close the ones nobody took. */
  dispose(): void;
}

/** The filesystem marks of nslab ownership (read-only). */
export interface Markers {
  /** The symlinks among the named namespaces, with their targets. */
  netnsSymlinks(): Array<{ name: string; target: string }>;
  /** The group dirs and the names (mount points) in each. */
  groupDirs(): Array<{ group: string; members: string[] }>;
  /** The per-namespace hosts (else resolv.conf) files that are symlinks, with their targets. */
  hostsSymlinks(): Array<{ netns: string; target: string }>;
}

export interface Host {
  /** The host's limits; `fdsInUse` as counted by the caller, `statePath` the state root. */
  limits(fdsInUse: number | undefined, statePath: string): HostLimits;
  /** Open file descriptors of this process now. */
  openFdCount(): number;
  /** The named network namespaces. */
  netnsList(): string[];
  /** Whether a named netns exists. */
  netnsExists(name: string): boolean;
  /** The group (lab) directory a named netns points into, if it is a group's. */
  netnsGroupOf(name: string): string | undefined;
  /** Detach a lab's whole group of namespaces at once, then remove their names. */
  deleteGroup(group: string, names: readonly string[]): void;
  readonly markers: Markers;
  /** Raise the neighbour table's limits so that `need` entries fit: the old values, or undefined when not possible here. */
  raiseNeighLimit(need: number): number[] | undefined;
  restoreNeighLimit(old: readonly number[]): void;
  /** Start making `count` empty namespaces ahead, in parallel. */
  netnsPool(count: number): NetnsPool;
}

/** The FIFOs that carry a process's output to the lab's log keeper. */
export interface Pipes {
  /** Create the FIFO; 'exists' when one is there already, 'not-fifo' when something else has its name. */
  make(path: string): 'made' | 'exists' | 'not-fifo';
  /** Open its write end (blocking writes), or undefined while it has no reader yet. */
  openWriter(path: string): number | undefined;
  /** Bytes written to the pipe of this write end that no reader has read yet. */
  unread(fd: number): number;
  close(fd: number): void;
}
