// The public types of the library (src/index.ts exports them). They are written out here, not
// re-exported from the layers below, so that the published declarations name nothing internal:
// src/api/lab.ts assigns the verbs' results to them, and the compiler checks they still fit.

/** A command: its words (never run through a shell), or one line split at white space. */
export type CommandInput = string | readonly string[];

/** `networks.NAME`: a Linux bridge `<lab>-<name>` in the lab's host namespace. */
export interface NetworkInput {
  readonly subnet?: string | readonly string[];
  /** The bridge's address(es); nodes on the network get a default route via it. */
  readonly gateway?: string | readonly string[];
  /** Masquerade the network's traffic out of the host. */
  readonly nat?: boolean;
  readonly mtu?: number;
  /** The rest of the format (docs/topology.md); checked when the lab starts. */
  readonly [key: string]: unknown;
}

/** `nodes.NAME.interfaces.IFACE`: on a network, a veth to a peer node, or a veth to the host. */
export interface InterfaceInput {
  readonly network?: string;
  /** `"NODE:IFACE"`. */
  readonly peer?: string;
  readonly host?: true;
  /** CIDR(s); on a network without one, allocated from its subnet. */
  readonly address?: string | readonly string[];
  readonly mtu?: number;
  readonly [key: string]: unknown;
}

/** `nodes.NAME.routes[i]`. */
export interface RouteInput {
  /** A CIDR or `default`. */
  readonly to: string;
  readonly via?: string;
  readonly dev?: string;
  readonly [key: string]: unknown;
}

/** `nodes.NAME.processes[i]`: started by start/apply after the network is ready, stopped by stop. */
export interface ProcessInput {
  readonly name?: string;
  readonly command: CommandInput;
  readonly ready?: { readonly tcp: number } | { readonly command: CommandInput };
  /** Seconds (1 to 3600, default 10). */
  readonly ready_timeout?: number;
  readonly [key: string]: unknown;
}

/** `nodes.NAME`: a network namespace `<lab>-<name>`. */
export interface NodeInput {
  readonly interfaces?: Readonly<Record<string, InterfaceInput>>;
  readonly routes?: readonly RouteInput[];
  /** Route between its interfaces (ip_forward). */
  readonly forwarding?: boolean;
  readonly processes?: readonly ProcessInput[];
  readonly hostname?: string;
  readonly isolate?: readonly ('pid' | 'mount' | 'uts')[];
  readonly [key: string]: unknown;
}

/** `expect[i]`: what `lab.test()` checks. */
export interface ExpectInput {
  readonly from: string;
  /** A node, `node:iface`, or an address. */
  readonly to: string;
  /** Default true; false: the probe must not get through. */
  readonly reach?: boolean;
  readonly tcp?: number;
  readonly udp?: number;
  /** Holds once it holds within this long ("2s"). */
  readonly within?: string;
  readonly [key: string]: unknown;
}

/**
 * A topology as an object: the YAML format's tree (docs/topology.md). It is written out as YAML
 * and goes through the same loader as a file, so it gets the same checks and every problem is
 * reported with its place (`<lab input>:LINE:COL`, lines of that YAML). `name` is optional here:
 * without one (and without `LabOptions.name`) the lab gets a fresh unique name.
 */
export interface TopologyInput {
  readonly name?: string;
  readonly networks?: Readonly<Record<string, NetworkInput>>;
  readonly nodes: Readonly<Record<string, NodeInput>>;
  readonly expect?: readonly ExpectInput[];
  readonly [key: string]: unknown;
}

/**
 * What `Lab.start` and `lab.apply` take: YAML text, a `TopologyInput` object, or the path of a
 * topology file (a string without a line break ending in `.yaml`/`.yml`, or a file URL).
 */
export type LabInput = string | URL | TopologyInput;

/** Options of `Lab.start`. */
export interface LabOptions {
  /** The lab's name; default: the topology's `name:`, else a fresh unique one (`t` and 6 letters/digits). */
  readonly name?: string;
  /**
   * `'private'`: make a network namespace of the lab's own to play the host (its bridges, host
   * ends, gateways and NAT live there, not in this host's namespace), removed at stop; two labs
   * with the same subnets and gateways can then run at once. A name: use that existing
   * namespace (`--host-netns`). Default: this host's namespace.
   */
  readonly hostNetns?: 'private' | (string & {});
  /** Where lab state lives (default /run/nslab). */
  readonly stateRoot?: string;
  /** Start even if a lab of this name is already up, converging it to this topology (default: refuse, code `lab-exists`). */
  readonly reuse?: boolean;
  /** Take the lab down when this process exits or gets SIGINT/SIGTERM/SIGHUP (default true). */
  readonly stopOnExit?: boolean;
  /** Where relative `files:` sources of text or object input are found (default: the current directory). */
  readonly baseDir?: string;
  /** Aborts a start in progress (it stops after the current kernel batch; the lab is then stopped). */
  readonly signal?: AbortSignal;
}

/** Options of `lab.apply`. */
export interface ApplyOptions {
  /**
   * Read everything the lab has in the kernel, as `nslab up --full` does. Without it, what this
   * handle built and the topology still wants unchanged is taken as built (the fast way: one node
   * added to a 1000-node lab costs about its kernel work); with it, changes made by hand inside
   * the lab's namespaces or to its host links are found and repaired.
   */
  readonly full?: boolean;
}

/** What starting or applying changed. */
export interface ApplyResult {
  readonly lab: string;
  readonly nodes: number;
  readonly networks: number;
  /** The changes made, as the `ip`/`sysctl` commands a person would type. */
  readonly commands: readonly string[];
  /** How many kernel objects were already as wanted. */
  readonly unchanged: number;
  readonly warnings: readonly string[];
  /** Process names (`node.process`) started and stopped. */
  readonly processesStarted: readonly string[];
  readonly processesStopped: readonly string[];
  readonly ms: number;
}

/** Options of `lab.exec`. */
export interface ExecOptions {
  /** The command's stdin (empty when absent). */
  readonly input?: string | Uint8Array;
  /** Kill it (SIGKILL) after this long; the result says `timedOut`. */
  readonly timeoutMs?: number;
  /** Added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Each stream keeps at most this many bytes (default 64 MiB). */
  readonly maxBytes?: number;
}

/** What `lab.exec` returns; a non-zero exit is a result, not an error. */
export interface ExecResult {
  /** The exit status (128+N when killed by signal N). */
  readonly exitCode: number;
  readonly signal: string | null;
  /** The output as UTF-8 text. */
  readonly stdout: string;
  readonly stderr: string;
  /** The output as bytes. */
  readonly stdoutBytes: Uint8Array;
  readonly stderrBytes: Uint8Array;
  readonly truncated: boolean;
  readonly timedOut: boolean;
}

/** What `lab.probe` sends: a ping (default), a TCP connect or a UDP datagram to a port. */
export interface ProbeOptions {
  readonly tcp?: number;
  readonly udp?: number;
}

/** What `lab.probe` found. */
export interface ProbeResult {
  readonly from: string;
  readonly to: string;
  /** The address probed. */
  readonly dst: string | null;
  readonly reached: boolean;
  /** Round-trip time of the successful attempt, ms. */
  readonly rttMs?: number;
  /** Why not reached ("timeout", "connection refused", ...). */
  readonly reason?: string;
}

/** One row of a test report. */
export interface TestRow {
  readonly from: string;
  readonly to: string;
  readonly dst: string | null;
  /** "icmp", "tcp/8080", "udp/53". */
  readonly probe: string;
  readonly expected: 'reach' | 'blocked';
  readonly got: 'reached' | 'blocked';
  readonly ok: boolean;
  readonly rttMs?: number;
  readonly reason?: string;
  readonly loss: number;
}

/** What `lab.test` found: the file's `expect:` entries, or every pair with `all`. */
export interface TestReport {
  readonly lab: string;
  readonly ok: boolean;
  readonly rows: readonly TestRow[];
  readonly passed: number;
  readonly failed: number;
  readonly notices: readonly string[];
  readonly ms: number;
}

/** Options of `lab.test`. */
export interface TestOptions {
  /** Probe every ordered pair of nodes instead of the expectations. */
  readonly all?: boolean;
  /** Probe from every node to its networks' gateways. */
  readonly gateways?: boolean;
}

/** Options of `lab.spawn`. */
export interface SpawnOptions {
  /** The process's name (default: the command's base name, made unique in the node). */
  readonly name?: string;
}

/** A process started by `lab.spawn`: it runs until `kill()` or the lab stops. */
export interface SpawnedProcess {
  readonly node: string;
  readonly name: string;
  readonly pid: number | undefined;
  /** Its output (stdout and stderr) is written here. */
  readonly logPath: string;
  /** Its output so far. */
  output(): Promise<string>;
  /** Its output as it is written (until the signal aborts or the lab stops). */
  follow(signal?: AbortSignal): AsyncIterable<string>;
  /** Wait until its output matches; rejects after timeoutMs (default 10 s). */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  running(): Promise<boolean>;
  /** SIGTERM, then SIGKILL after the grace period (default 2 s); false when it was not running. */
  kill(graceMs?: number): Promise<boolean>;
}

/** Options of `lab.capture`. */
export interface CaptureOptions {
  /** A pcap-filter(7) expression, as for tcpdump (`icmp`, `tcp port 80`). */
  readonly filter?: string;
  /** Stop after this many packets (over all capture points). */
  readonly count?: number;
  /** Stop after this long. */
  readonly durationMs?: number;
  /** Stops the capture when aborted. */
  readonly signal?: AbortSignal;
}

/** One packet `lab.capture` saw. */
export interface CapturedPacket {
  /** Where: `node:iface`, or a network's name (seen on its bridge). */
  readonly point: string;
  /** When, in microseconds since the epoch. */
  readonly timeUs: number;
  /** What `nslab capture` prints after the time and place: "SRC > DST, " and the decoded summary, each address with its lab name. */
  readonly text: string;
  /** The frame as captured (Ethernet), and its length on the wire. */
  readonly data: Uint8Array;
  readonly length: number;
}

/**
 * A running capture (`await lab.capture(...)` resolves once every point is capturing): its
 * packets in time order, until count or duration is reached, stop() is called, the loop over
 * them ends, or the lab stops.
 */
export interface PacketCapture extends AsyncIterable<CapturedPacket>, AsyncDisposable {
  /** The capture points, as packets name them. */
  readonly points: readonly string[];
  /** Stop capturing (packets already seen are still given out); resolves once tcpdump is gone. */
  stop(): Promise<void>;
}

/** One lab as `Lab.list` shows it. */
export interface LabListing {
  readonly name: string;
  readonly file?: string;
  readonly hostNetns?: string;
  readonly nodes: number;
  readonly networks: number;
  readonly status: 'up' | 'partial' | 'down';
}

/** One interface as `lab.show` reports it. */
export interface InterfaceInfo {
  readonly name: string;
  readonly state: string;
  readonly up: boolean;
  readonly mac: string;
  readonly mtu: number;
  readonly addresses: readonly string[];
  readonly to?: string;
}

/** One route as `lab.show` reports it. */
export interface RouteInfo {
  readonly to: string;
  readonly family: 4 | 6;
  readonly via?: string;
  readonly dev?: string;
  readonly metric?: number;
}

/** One node as `lab.show` reports it; `present: false` when its namespace is missing. */
export interface NodeInfo {
  readonly name: string;
  readonly netns: string;
  readonly present: boolean;
  readonly interfaces: readonly InterfaceInfo[];
  readonly routes: readonly RouteInfo[];
  readonly rules?: string;
}

/** One network as `lab.show` reports it. */
export interface NetworkInfo {
  readonly name: string;
  readonly bridge: string;
  readonly present: boolean;
  readonly state: string;
  readonly gateways: readonly string[];
  readonly ports: readonly string[];
}

/** What `lab.show` returns: the lab as the kernel has it now. */
export interface LabState {
  readonly lab: string;
  readonly hostNetns?: string;
  readonly nodes: readonly NodeInfo[];
  readonly networks: readonly NetworkInfo[];
}

/** One hop of a trace. */
export interface TraceHop {
  /** A node name, or "host". */
  readonly at: string;
  readonly inDev?: string;
  readonly outDev: string;
  readonly nextHop: string;
  readonly route: string;
  readonly toward: string;
  readonly next?: string;
}

/** One direction of a trace. */
export interface TraceLeg {
  readonly direction: 'request' | 'reply';
  readonly src?: string;
  readonly dst: string;
  readonly hops: readonly TraceHop[];
  readonly reached: boolean;
  /** Where the packet arrived, when it did. */
  readonly at?: string;
  /** Why it stopped, when it did not arrive. */
  readonly stop?: { readonly code: string; readonly at: string; readonly message: string };
}

/** What `lab.trace` returns: the path as the kernels would route it now (nothing is sent). */
export interface TraceReport {
  readonly lab: string;
  readonly from: string;
  readonly to: string;
  readonly dst: string;
  readonly request: TraceLeg;
  readonly reply?: TraceLeg;
  /** Both ways arrive. */
  readonly ok: boolean;
}

/** One process of a node as `lab.ps` reports it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly user: string;
  readonly stat: string;
  readonly rssKb: number;
  readonly startedAt: number;
  readonly cpuSeconds: number;
  readonly command: string;
}

/** What `lab.ps` returns: the processes in each node's namespace. */
export interface NodeProcesses {
  readonly node: string;
  readonly netns: string;
  readonly present: boolean;
  readonly processes: readonly ProcessInfo[];
}

/** Link properties put in force at run time, in the topology file's units ("10mbit", "20ms", "5%"). */
export interface ImpairInput {
  readonly rate?: string;
  readonly delay?: string;
  readonly jitter?: string;
  readonly loss?: string;
  readonly corrupt?: string;
  readonly duplicate?: string;
  readonly reorder?: string;
  /** Queue length in packets. */
  readonly limit?: number | string;
  /** Only what this end sends; default both directions. */
  readonly egressOnly?: boolean;
}

/** One end of a link (`NODE:IFACE`), changed at run time like `nslab link` and `nslab impair`. */
export interface LinkHandle {
  /** Cut the link: this end is set down, the far end loses carrier. */
  down(): Promise<void>;
  /** Restore it (also lifts a partition's cut of this end). */
  up(): Promise<void>;
  /** Put these properties in force instead of the file's. */
  impair(shape: ImpairInput): Promise<void>;
  /** Back to the file's properties for this link. */
  clear(): Promise<void>;
}
