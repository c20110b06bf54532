// The library's lab handle: start a lab from YAML text, an object or a file; run commands, probes
// and tests in it; change it; stop it (also on `await using`, on process exit and on signals).
// A thin shell over the verbs in lab/, like the CLI: everything it returns is data.
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { DEFAULT_STATE_ROOT, stateRootAt, type StateRoot } from '../lab/config.js';
import { down } from '../lab/down.js';
import { execCapture } from '../lab/exec.js';
import {
  adhocRunning,
  checkLabName,
  declaredName,
  downAtExit,
  fileText,
  freshLabName,
  labRecorded,
  objectText,
  privateHostNetns,
  privateHostText,
  stopAdhoc,
  withLabName,
} from '../lab/library.js';
import { logs } from '../lab/logs.js';
import { ls } from '../lab/ls.js';
import { runAdhoc } from '../lab/processes.js';
import { heal, impair, linkState, partition, shapeFromFlags } from '../lab/runtime.js';
import { ps } from '../lab/ps.js';
import { show } from '../lab/show.js';
import { test } from '../lab/test.js';
import { trace } from '../lab/trace.js';
import { up, type UpResult } from '../lab/up.js';
import { WarmLab } from '../lab/warm.js';
import { NslabError } from '../util/errors.js';
import { startCapture } from './capture.js';
import type {
  ApplyOptions,
  ApplyResult,
  CaptureOptions,
  ExecOptions,
  ExecResult,
  LabInput,
  LinkHandle,
  LabListing,
  PacketCapture,
  LabOptions,
  LabState,
  NodeProcesses,
  ProbeOptions,
  ProbeResult,
  SpawnedProcess,
  SpawnOptions,
  TestOptions,
  TestReport,
  TopologyInput,
  TraceReport,
} from './types.js';

/** What a caller gave, as a topology text (or a plain value) and the name its issues carry. */
interface Source {
  readonly text: string;
  /** An object's own value, without its name: checked as it is, without YAML (lab/load.ts loadValue). */
  readonly value?: object;
  /** The file (a path), or `<lab input>` in baseDir: issues say `FILE:LINE:COL`, `files:` sources are found beside it. */
  readonly file: string;
  /** The name an object gave (objects may leave it out). */
  readonly name?: string;
}

const INPUT_NAME = '<lab input>';

function sourceOf(input: LabInput, baseDir: string | undefined): Source {
  const virtual = join(resolve(baseDir ?? '.'), INPUT_NAME);
  if (input instanceof URL) {
    const file = fileURLToPath(input);
    return { text: fileText(file), file };
  }
  if (typeof input === 'string') {
    if (!input.includes('\n') && /\.ya?ml$/i.test(input.trim())) {
      const file = resolve(input.trim());
      return { text: fileText(file), file };
    }
    return { text: input, file: virtual };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new NslabError('usage', 'a lab is started from YAML text, a topology object or the path of a .yaml file', 2);
  }
  const name = typeof input.name === 'string' ? input.name : undefined;
  const { name: _, ...rest } = input as TopologyInput;
  // The text is made only when asked for: the name goes last, so it is the line a renaming replaces (see withLabName).
  let text: string | undefined;
  return {
    get text(): string {
      text ??= objectText(rest);
      return text;
    },
    value: rest,
    file: virtual,
    ...(name === undefined ? {} : { name }),
  };
}

/** The input of up for a source and a lab name: the value with the name set, or the renamed text. */
function upInput(src: Source, name: string): { readonly text: string } | { readonly value: object } {
  if (src.value === undefined) return { text: withLabName(src.text, name) };
  // The name checked here (a caller's option), the rest of the value by up.
  checkLabName(name);
  return { value: { ...src.value, name } };
}

function applied(r: UpResult): ApplyResult {
  return {
    lab: r.lab,
    nodes: r.nodes,
    networks: r.networks,
    commands: r.commands,
    unchanged: r.unchanged,
    warnings: r.warnings,
    processesStarted: r.processes?.started ?? [],
    processesStopped: r.processes?.stopped ?? [],
    ms: r.ms,
  };
}

/** Labs this process started and has not stopped, with how to take each down from an exit handler. */
const live = new Map<Lab, () => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let hooked = false;

function onSignal(sig: NodeJS.Signals): void {
  unhook();
  const all = [...live.keys()];
  // Bounded: a stop that hangs does not keep the process from ending on the signal.
  const timer = setTimeout(() => process.kill(process.pid, sig), 30_000);
  void Promise.allSettled(all.map((l) => l.stop())).then(() => {
    clearTimeout(timer);
    process.kill(process.pid, sig);
  });
}

function onExit(): void {
  // Nothing asynchronous runs in an exit handler: the CLI takes the labs down, synchronously.
  for (const atExit of live.values()) atExit();
  live.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

function track(l: Lab, atExit: (() => void) | undefined): void {
  if (atExit) {
    live.set(l, atExit);
    hook();
  } else {
    live.delete(l);
    if (live.size === 0) unhook();
  }
}

/**
 * A running lab. `Lab.start` builds it; `stop()` (or leaving an `await using` block) takes it
 * down, with its private host namespace. Errors are `NslabError`s with a typed `code`.
 */
export class Lab implements AsyncDisposable {
  readonly #baseDir: string | undefined;
  /** The private host's lab, when `hostNetns: 'private'`. */
  readonly #hostLab: string | undefined;
  #stopped = false;
  #stopping: Promise<void> | undefined;

  readonly #root: StateRoot;
  /** What one apply lends the next (lab/warm.ts). */
  readonly #warm: WarmLab;

  private constructor(
    root: StateRoot,
    /** The lab's name: its namespaces are `<name>-<node>`. */
    readonly name: string,
    /** The namespace playing host (the private one, or the one given), undefined for this host's own. */
    readonly hostNetns: string | undefined,
    hostLab: string | undefined,
    opts: LabOptions,
  ) {
    this.#root = root;
    this.#warm = new WarmLab(root);
    this.#hostLab = hostLab;
    this.#baseDir = opts.baseDir;
  }

  /**
   * Build a lab and resolve once it is up (processes started and ready). Throws NslabError:
   * `bad-topology` (every problem with its place), `lab-exists` (the name is up; pass reuse),
   * `needs-root`, `apply-failed`, ... A lab that failed half-way is taken down again.
   */
  static async start(input: LabInput, options: LabOptions = {}): Promise<Lab> {
    const root = stateRootAt(options.stateRoot ?? DEFAULT_STATE_ROOT);
    const src = sourceOf(input, options.baseDir);
    const name = options.name ?? src.name ?? (src.value === undefined ? declaredName(src.text) : undefined) ?? freshLabName(root);
    const given = upInput(src, name);
    if (!options.reuse && labRecorded(root, name)) {
      throw new NslabError('lab-exists', `lab ${name} is already up (pass reuse: true to converge it to this topology, or choose another name)`, 1);
    }
    let hostLab: string | undefined;
    let hostNetns = options.hostNetns;
    if (hostNetns === 'private') {
      hostLab = freshLabName(root, 'h');
      hostNetns = privateHostNetns(hostLab);
    }
    const lab = new Lab(root, name, hostNetns, hostLab, options);
    const owned = [name, ...(hostLab === undefined ? [] : [hostLab])];
    if (options.stopOnExit !== false) track(lab, () => downAtExit(root, owned));
    try {
      if (hostLab !== undefined) await up({ state: root, file: `<private host of ${name}>`, text: privateHostText(hostLab) });
      await up({
        state: root,
        file: src.file,
        ...given,
        warm: lab.#warm,
        ...(hostNetns === undefined ? {} : { hostNetns }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (e) {
      await lab.stop().catch(() => {});
      throw e;
    }
    return lab;
  }

  /** The labs of a state root (default /run/nslab). */
  static async list(options: { readonly stateRoot?: string } = {}): Promise<LabListing[]> {
    const root = stateRootAt(options.stateRoot ?? DEFAULT_STATE_ROOT);
    return (await ls({ state: root })).map((l) => ({
      name: l.name,
      ...(l.file === undefined ? {} : { file: l.file }),
      ...(l.hostNetns === undefined ? {} : { hostNetns: l.hostNetns }),
      nodes: l.nodes,
      networks: l.networks,
      status: l.status,
    }));
  }

  /** Whether stop() has not been called yet. */
  get running(): boolean {
    return !this.#stopped;
  }

  #live(): void {
    if (this.#stopped) throw new NslabError('not-up', `lab ${this.name} was stopped`, 1);
  }

  /**
   * Change the lab to a new topology (text, object or path): the difference is planned and
   * applied, processes whose declaration changed restart. The name stays this lab's.
   */
  async apply(input: LabInput, options: ApplyOptions = {}): Promise<ApplyResult> {
    this.#live();
    const src = sourceOf(input, this.#baseDir);
    const r = await up({
      state: this.#root,
      file: src.file,
      ...upInput(src, this.name),
      warm: this.#warm,
      ...(options.full ? { full: true } : {}),
      ...(this.hostNetns === undefined ? {} : { hostNetns: this.hostNetns }),
    });
    return applied(r);
  }

  /** Run argv in a node (never through a shell) and capture its output; a non-zero exit is a result. */
  async exec(node: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.#live();
    const r = await execCapture({ state: this.#root, lab: this.name, node, argv, ...options });
    return {
      exitCode: r.exitCode,
      signal: r.signal,
      stdout: r.stdout.toString('utf8'),
      stderr: r.stderr.toString('utf8'),
      stdoutBytes: new Uint8Array(r.stdout),
      stderrBytes: new Uint8Array(r.stderr),
      truncated: r.truncated,
      timedOut: r.timedOut,
    };
  }

  /** One probe from a node to a node, `node:iface` or an address: ping, or `{ tcp }` / `{ udp }` to a port. */
  async probe(from: string, to: string, options: ProbeOptions = {}): Promise<ProbeResult> {
    this.#live();
    if (options.tcp !== undefined && options.udp !== undefined) throw new NslabError('usage', 'probe: tcp or udp, not both', 2);
    const probe =
      options.tcp !== undefined
        ? { kind: 'tcp' as const, port: options.tcp }
        : options.udp !== undefined
          ? { kind: 'udp' as const, port: options.udp }
          : { kind: 'icmp' as const };
    const r = await test({ state: this.#root, target: this.name, expect: [{ from, to, reach: true, probe, span: { line: 0, col: 0 } }] });
    const row = r.report.rows[0];
    if (!row) throw new NslabError('no-expectations', `probe ${from} -> ${to}: nothing to probe`, 2);
    return {
      from,
      to,
      dst: row.dst,
      reached: row.got === 'reached',
      ...(row.rttMs === undefined ? {} : { rttMs: row.rttMs }),
      ...(row.reason === undefined ? {} : { reason: row.reason }),
    };
  }

  /** Check the topology's `expect:` entries (or every pair, or the gateways); failures are rows, not errors. */
  async test(options: TestOptions = {}): Promise<TestReport> {
    this.#live();
    const r = await test({ state: this.#root, target: this.name, ...(options.all ? { all: true } : {}), ...(options.gateways ? { gateways: true } : {}) });
    return { lab: r.lab, ok: r.report.failed === 0, rows: r.report.rows, passed: r.report.passed, failed: r.report.failed, notices: r.notices, ms: r.ms };
  }

  /** Start a long-running process in a node (like `nslab run`); it is stopped by kill() or stop(). */
  /**
   * Capture packets at nodes (`node`: all its interfaces), interfaces (`node:iface`) or networks
   * (on their bridge), as `nslab capture` does: resolves once capturing, then yields each packet
   * decoded, with the lab's names. Stops at `count` or `durationMs`, on stop(), when the loop is
   * left, or when the lab stops.
   */
  async capture(targets: string | readonly string[], options: CaptureOptions = {}): Promise<PacketCapture> {
    this.#live();
    return startCapture(this.#root, this.name, typeof targets === 'string' ? [targets] : targets, options);
  }

  async spawn(node: string, argv: readonly string[], options: SpawnOptions = {}): Promise<SpawnedProcess> {
    this.#live();
    const r = await runAdhoc({ state: this.#root, lab: this.name, node, command: argv, ...(options.name === undefined ? {} : { name: options.name }) });
    const ref = { state: this.#root, lab: this.name, node, name: r.name };
    const output = async (): Promise<string> => {
      const parts: string[] = [];
      await logs({ ...ref, process: r.name, write: (t) => void parts.push(t) });
      return parts.join('');
    };
    return {
      node,
      name: r.name,
      pid: r.pid,
      logPath: r.log,
      output,
      follow: (signal?: AbortSignal) => follow(ref, signal),
      async waitForOutput(pattern: RegExp | string, timeoutMs = 10_000): Promise<string> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const text = await output();
          if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) return text;
          if (Date.now() > deadline)
            throw new NslabError('process-failed', `${node}.${r.name}: no output matching ${String(pattern)} after ${timeoutMs} ms; it wrote:\n${text}`, 1);
          await new Promise((res) => setTimeout(res, 50));
        }
      },
      running: () => adhocRunning(ref),
      kill: (graceMs?: number) => stopAdhoc({ ...ref, ...(graceMs === undefined ? {} : { graceMs }) }),
    };
  }

  /** The lab (or one node) as the kernel has it now. */
  async show(node?: string): Promise<LabState> {
    this.#live();
    const s = await show({ state: this.#root, lab: this.name, ...(node === undefined ? {} : { node }) });
    return {
      lab: s.lab,
      ...(s.hostNetns === undefined ? {} : { hostNetns: s.hostNetns }),
      nodes: s.nodes,
      networks: s.networks,
    };
  }

  /** The path a packet would take from a node to a target, and the reply's (nothing is sent). */
  async trace(from: string, to: string, options: ProbeOptions = {}): Promise<TraceReport> {
    this.#live();
    const probe =
      options.tcp !== undefined
        ? { kind: 'tcp' as const, port: options.tcp }
        : options.udp !== undefined
          ? { kind: 'udp' as const, port: options.udp }
          : undefined;
    const t = await trace({ state: this.#root, lab: this.name, from, to, ...(probe ? { probe } : {}) });
    return { lab: t.lab, from: t.from, to: t.to, dst: t.dst, request: t.request, ...(t.reply ? { reply: t.reply } : {}), ok: t.ok };
  }

  /** The processes running in each node's namespace. */
  async ps(): Promise<NodeProcesses[]> {
    this.#live();
    const r = await ps({ state: this.#root, lab: this.name });
    return (r.labs[0]?.nodes ?? []).map((n) => ({ node: n.name, netns: n.netns, present: n.present, processes: n.processes }));
  }

  /** The output of a node's processes (one, or all of them) so far. */
  async logs(node: string, process?: string): Promise<string> {
    this.#live();
    const parts: string[] = [];
    await logs({ state: this.#root, lab: this.name, node, ...(process === undefined ? {} : { process }), write: (t) => void parts.push(t) });
    return parts.join('');
  }

  /** One end of a link (`NODE:IFACE`), to cut, restore or impair at run time; `show` marks the changes. */
  link(end: string): LinkHandle {
    const base = { state: this.#root, lab: this.name, end };
    const run = async (fn: () => Promise<unknown>): Promise<void> => {
      this.#live();
      await fn();
    };
    return {
      down: () => run(() => linkState({ ...base, up: false })),
      up: () => run(() => linkState({ ...base, up: true })),
      impair: ({ egressOnly, limit, ...flags }) =>
        run(() =>
          impair({
            ...base,
            shape: shapeFromFlags({ ...flags, ...(limit === undefined ? {} : { limit: String(limit) }) }),
            ...(egressOnly ? { egressOnly: true } : {}),
          }),
        ),
      clear: () => run(() => impair({ ...base, clear: true })),
    };
  }

  /** Cut every link between two groups of nodes, like `nslab partition`; `heal()` undoes it. */
  async partition(a: readonly string[], b: readonly string[]): Promise<void> {
    this.#live();
    await partition({ state: this.#root, lab: this.name, a, b });
  }

  /** Undo every partition. */
  async heal(): Promise<void> {
    this.#live();
    await heal({ state: this.#root, lab: this.name });
  }

  /** Take the lab down (processes, namespaces, links, rules), then its private host. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#stopped = true;
    this.#warm.discard();
    try {
      await down({ state: this.#root, target: this.name });
      if (this.#hostLab !== undefined) await down({ state: this.#root, target: this.#hostLab, force: true });
    } finally {
      track(this, undefined);
    }
  }

  /** `await using lab = await Lab.start(...)`: stopped when the block ends, also when it throws. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** A process's log as it is written, in chunks, until the signal aborts. */
async function* follow(ref: { state: StateRoot; lab: string; node: string; name: string }, signal?: AbortSignal): AsyncGenerator<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const ctl = new AbortController();
  const stopFollow = (): void => ctl.abort();
  signal?.addEventListener('abort', stopFollow, { once: true });
  const run = logs({
    state: ref.state,
    lab: ref.lab,
    node: ref.node,
    process: ref.name,
    follow: true,
    signal: ctl.signal,
    write: (t) => {
      queue.push(t);
      wake?.();
    },
  }).finally(() => {
    done = true;
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift() as string;
      if (done) break;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = undefined;
    }
    await run;
  } finally {
    ctl.abort();
    signal?.removeEventListener('abort', stopFollow);
  }
}
