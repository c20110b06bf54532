// The /proc reads lab/ needs: which network namespace a process is in, which processes are in a
// lab's namespaces, the details `ps aux` shows. Read-only. Processes come and go while they are
// read: one that vanishes is skipped, never an error.

/** The namespaces of one process, as inode numbers (absent when unreadable). */
export interface ProcNamespaces {
  readonly net: number;
  readonly pid?: number;
  readonly mnt?: number;
  readonly uts?: number;
}

/** One process as `ps aux` shows it. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  /** User name from /etc/passwd; the number when it has none. */
  readonly user: string;
  /** ps STAT: the state letter, then <N (nice), s (session leader), l (threads), + (foreground). */
  readonly stat: string;
  readonly rssKb: number;
  /** Start time, milliseconds since the epoch. */
  readonly startedAt: number;
  /** User plus system CPU time, seconds. */
  readonly cpuSeconds: number;
  /** CPU time over lifetime, percent (what ps aux shows as %CPU). */
  readonly cpuPercent: number;
  /** Command line with NULs as spaces; `[comm]` for kernel threads and zombies. */
  readonly command: string;
  /** The PID inside the process's own PID namespace, when it is in one (NSpid). */
  readonly nsPid?: number;
  readonly ns: ProcNamespaces;
}

/** What a scan found: processes per matching netns inode, and how many could not be read. */
export interface ScanResult {
  readonly byNetns: ReadonlyMap<number, readonly ProcInfo[]>;
  /** Processes whose namespace could not be read (EACCES/EPERM: not root). */
  readonly unreadable: number;
}

export interface ProcFs {
  /**
   * The network namespace inode of a process; undefined when there is no such process. Throws an
   * error with code EACCES or EPERM when the process exists but may not be inspected.
   */
  netnsOfPid(pid: number): number | undefined;
  /** Whether a process with this PID exists (it has a network namespace to adopt). */
  exists(pid: number): boolean;
  /** The network namespace inode of this process (the "host" it runs in). */
  ownNetns(): number;
  /** The namespace inode of a named netns; undefined when it is missing or not a namespace. */
  netnsInode(name: string): number | undefined;
  /** Every named netns and its inode. */
  namedNetns(): Map<string, number>;
  /** The processes in the given network namespaces. */
  scanNetns(inodes: ReadonlySet<number>): ScanResult;
  /** The details of one process, or undefined when it is gone. */
  inspect(pid: number): ProcInfo | undefined;
}
