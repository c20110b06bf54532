// The processes port: starting a lab's processes in its nodes, and knowing them again later. A
// process is identified by its PID and its start time together, so that a PID the kernel has
// handed to someone else since is never taken for ours (and never signalled).
// Implementations: kernel/processes.ts (Linux, /proc) and test/helpers/fake-system.ts.

/** A process as nslab records it: PID and start time (clock ticks since boot on Linux). */
export interface ProcId {
  readonly pid: number;
  readonly start: number;
}

/** The namespaces a node's processes get besides its network namespace. */
export interface Isolation {
  readonly pid: boolean;
  readonly mount: boolean;
  readonly uts: boolean;
}

/** One process to start in a node. */
export interface LaunchSpec {
  /** The node's named network namespace. */
  readonly netns: string;
  readonly isolate: Isolation;
  /** The hostname set in a new uts namespace. */
  readonly hostname: string;
  /** The node's namespace holder (a running process) whose namespaces (pid, mount, uts) this one joins; set whenever the node is isolated. */
  readonly join?: number;
  /** Run as this user. */
  readonly user?: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** The fd its stdout and stderr are (the caller closes its copy). */
  readonly output: number;
}

/** A process just started, detached (it outlives nslab). */
export interface Launched {
  /** False when the system gave it no PID at all (it could not be started). */
  readonly spawned: boolean;
  /** The process started; undefined when it has no identity (no PID, or gone at once). */
  readonly outer: ProcId | undefined;
  /** Why it ended, once it has ("exited with status 1", "killed by SIGKILL", "could not start: ..."). */
  exited(): string | undefined;
  /**
   * With pid isolation: PID 1 of the new pid namespace (the outer process's child), once it
   * appears (bounded wait); undefined when it did not. Without: the outer process.
   */
  leader(): Promise<ProcId | undefined>;
}

/** The namespaces of an isolated node, to be made and held by a minimal process. */
export interface HoldSpec {
  /** The node's named network namespace. */
  readonly netns: string;
  readonly isolate: Isolation;
  /** The hostname set in the new uts namespace. */
  readonly hostname: string;
}

/** A namespace holder just started (detached: it outlives nslab). */
export interface Held {
  /** The process started (with pid isolation the parent of the holder, which waits for it); undefined without a PID. */
  readonly outer: ProcId | undefined;
  /** The process whose namespaces the node's processes join (PID 1 of the node's pid namespace when isolated); undefined when it did not come up. */
  readonly holder: ProcId | undefined;
  /** Why it did not come up (its exit and what it printed). */
  readonly why?: string;
}

/** A program started in the background on the host (the log keeper, down's finisher). */
export interface BackgroundSpec {
  readonly argv: readonly string[];
  /** The fd stdout and stderr go to (the caller closes its copy). */
  readonly output: number;
  /** An fd handed over as the child's fd 3 (a held lock). */
  readonly passFd?: number;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** A command run to completion in a node (Processes.run). */
export interface RunSpec {
  readonly netns: string;
  readonly isolate: Isolation;
  /** The node's holder, whose namespaces it joins (isolated nodes). */
  readonly join?: number;
  readonly user?: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Killed (with what it started) after this long. */
  readonly timeoutMs: number;
}

/** How a command run to completion ended, with the end of what it printed. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: string | null;
  /** It ran longer than its timeout and was killed. */
  readonly timedOut: boolean;
  /** The last 64 KiB of its stdout and stderr, interleaved as written. */
  readonly output: string;
  /** Set when it could not be started at all. */
  readonly error?: string;
}

/** How a command in the foreground ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: string | null;
}

/** How a command with captured output ended, and what it wrote. */
export interface CapturedExit extends ExitStatus {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Some output was dropped (over maxBytes). */
  readonly truncated: boolean;
  /** Killed because it ran past timeoutMs. */
  readonly timedOut: boolean;
}

export type Signal = 'SIGTERM' | 'SIGKILL' | 'SIGHUP';

export interface Processes {
  /** Start a process of a node (netns, then its isolation, user and command). */
  launch(spec: LaunchSpec): Launched;
  /**
   * Make an isolated node's namespaces (pid, mount with private propagation, uts with the hostname)
   * and hold them with a minimal process that does nothing else (it reaps orphans when it is PID 1
   * and exits on SIGTERM); resolves once they are set up (bounded wait). `spawned` is called with
   * the process started, as soon as it has one (so it can be journaled before it can be lost).
   */
  hold(spec: HoldSpec, spawned?: (outer: ProcId) => void): Promise<Held>;
  /** Run a command in a node to completion (a setup step, the placing of files); never rejects. */
  run(spec: RunSpec): Promise<RunResult>;
  /** Start a program detached on the host; its identity, or undefined when it could not start. */
  background(spec: BackgroundSpec): ProcId | undefined;
  /** Run a check inside a node (entering its namespaces through `join` when isolated); true on exit status 0. */
  check(a: {
    readonly netns: string;
    readonly isolate: Isolation;
    readonly join?: number;
    readonly command: readonly string[];
    readonly timeoutMs: number;
  }): boolean;
  /**
   * Run a command in a node with this process's stdio (entering its namespaces through `join` when
   * isolated); its exit status. Rejects with KernelError when the namespace does not exist (op
   * netns.enter, ENOENT) or the command cannot be found (op exec, ENOENT).
   */
  exec(a: { readonly netns: string; readonly isolate: Isolation; readonly join?: number; readonly argv: readonly string[] }): Promise<ExitStatus>;
  /**
   * Run a command in a node like `exec`, but with its output captured (stdin is empty or `input`):
   * the library's exec. Output beyond `maxBytes` (each stream) is dropped and `truncated` set; after
   * `timeoutMs` the command is killed (SIGKILL) and its status says so. Rejects like `exec`.
   */
  execCapture(a: {
    readonly netns: string;
    readonly isolate: Isolation;
    readonly join?: number;
    readonly argv: readonly string[];
    readonly input?: string | Uint8Array;
    readonly timeoutMs?: number;
    readonly maxBytes?: number;
    readonly env?: Readonly<Record<string, string>>;
    readonly cwd?: string;
  }): Promise<CapturedExit>;
  /** The start time of whatever has this PID now; undefined when no process has it. */
  startTime(pid: number): number | undefined;
  /** Whether the PID still names the process that started at `start` (and it is not a zombie). */
  alive(id: ProcId): boolean;
  /** Signal the process, only if it is still the one `id` names; false when it was not (gone or recycled). */
  signal(id: ProcId, sig: Signal): boolean;
  /**
   * Whether the process group `leader` led (as session leader) still has members that are ours:
   * while the leader runs, checked by its start time; once it is gone, any member left (the kernel
   * does not reuse a PID still used as a group id), unless a new process holds the PID.
   */
  groupAlive(leader: ProcId): boolean;
  /** Signal every member of that group, when groupAlive says it is ours. */
  signalGroup(leader: ProcId, sig: Signal): void;
  /** The full path of a program found on PATH (or relative to cwd), undefined when there is none. */
  findCommand(cmd: string, path?: string, cwd?: string): string | undefined;
}
