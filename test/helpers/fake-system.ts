// An in-memory System (port/system.ts) for unit tests, next to FakeKernel: processes that start,
// exit and take signals without running anything, locks and pipes in a map, host limits and
// markers made up from the fake kernel, probes answered from the fake kernel's addresses and routes
// (a route there and one back; forwarding in between is not modelled). Nothing here touches /proc,
// /run, a namespace or the network; only the files under the test's own state directory.
import { EventEmitter } from 'node:events';
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { GROUP_DIR } from '../../src/names/markers.js';
import type { Capture, CaptureSpec } from '../../src/port/capture.js';
import type { HeldLock } from '../../src/port/locks.js';
import type { HoldSpec, LaunchSpec, ProcId, RunSpec, Signal } from '../../src/port/processes.js';
import type { ProbeOutcome, ProbeSpec } from '../../src/port/probe.js';
import type { System } from '../../src/port/system.js';
import type { FakeKernel } from './fake-kernel.js';

/** One fake process. */
export interface FakeProc {
  readonly pid: number;
  readonly start: number;
  /** Process group (the session leader's PID). */
  readonly pgid: number;
  readonly argv: readonly string[];
  readonly spec?: LaunchSpec;
  running: boolean;
  exit?: string;
  readonly signals: Signal[];
}

/** How a launched command behaves: what it prints, whether it exits at once, whether its ready check passes. */
export interface Behaviour {
  readonly output?: string;
  /** Exits at once with this status. */
  readonly exitCode?: number;
  /** Ignores SIGTERM (only SIGKILL stops it). */
  readonly ignoreTerm?: boolean;
  readonly ready?: boolean;
}

export class FakeSystem implements System {
  readonly procs = new Map<number, FakeProc>();
  /** Every process ever started, in order (a recycled PID's old process stays here). */
  readonly history: FakeProc[] = [];
  readonly heldLocks = new Map<string, number>();
  /** Every signal sent, with the identity it was sent to. */
  readonly sent: Array<{ pid: number; start: number; sig: Signal; group?: true }> = [];
  behave: (command: readonly string[]) => Behaviour = () => ({});
  /** Namespace holders started, in order. */
  readonly holders: Array<{ spec: HoldSpec; outer: FakeProc }> = [];
  /** Set: holders fail to come up, printing this. */
  holdFails: string | undefined;
  /** Commands run by exec, with the process whose namespaces they joined. */
  readonly execs: Array<{ netns: string; join?: number; argv: readonly string[] }> = [];
  /** Commands run to completion (setup steps, placing files), in order. */
  readonly runs: RunSpec[] = [];
  /** Ready checks run: `netns command`, in order. */
  readonly checks: string[] = [];
  private nextPid = 1000;
  private clock = 5000;
  private nextFd = 1000;

  constructor(readonly kernel: FakeKernel) {}

  private spawnProc(argv: readonly string[], pgid?: number, spec?: LaunchSpec, pid = this.nextPid++): FakeProc {
    const p: FakeProc = { pid, start: this.clock++, pgid: pgid ?? pid, argv, ...(spec ? { spec } : {}), running: true, signals: [] };
    this.procs.set(pid, p);
    this.history.push(p);
    return p;
  }

  /** The PID of `id` now names another process (the old one died, the kernel reused its PID). */
  recycle(pid: number): FakeProc {
    const old = this.procs.get(pid);
    if (old) old.running = false;
    return this.spawnProc(['someone-else'], undefined, undefined, pid);
  }

  /** A process dies by itself. */
  die(pid: number, why = 'exited with status 0'): void {
    const p = this.procs.get(pid);
    if (p) {
      p.running = false;
      p.exit = why;
    }
  }

  private same(id: ProcId): FakeProc | undefined {
    const p = this.procs.get(id.pid);
    return p && p.start === id.start && p.running ? p : undefined;
  }

  private hit(p: FakeProc, sig: Signal, group?: true): void {
    p.signals.push(sig);
    this.sent.push({ pid: p.pid, start: p.start, sig, ...(group ? { group } : {}) });
    if (sig === 'SIGKILL' || (sig === 'SIGTERM' && !this.behave(p.spec?.command ?? p.argv).ignoreTerm)) {
      p.running = false;
      p.exit = `killed by ${sig}`;
    }
  }

  private groupAlive(leader: ProcId): boolean {
    if (this.same(leader)) return true;
    if (this.procs.get(leader.pid)?.running) return false;
    return [...this.procs.values()].some((p) => p.pgid === leader.pid && p.running);
  }

  readonly processes: System['processes'] = {
    launch: (spec) => {
      const b = this.behave(spec.command);
      if (b.output) writeSync(spec.output, b.output);
      const outer = this.spawnProc(['ip', 'netns', 'exec', spec.netns, ...spec.command], undefined, spec);
      let inner: FakeProc | undefined;
      if (spec.isolate.pid) inner = this.spawnProc(spec.command, outer.pid, spec);
      if (b.exitCode !== undefined) {
        for (const p of [outer, inner]) if (p) this.die(p.pid, `exited with status ${b.exitCode}`);
      }
      return {
        spawned: true,
        outer: { pid: outer.pid, start: outer.start },
        exited: () => (outer.running ? undefined : outer.exit),
        leader: async () => (inner === undefined ? { pid: outer.pid, start: outer.start } : inner.running ? { pid: inner.pid, start: inner.start } : undefined),
      };
    },
    hold: async (spec, spawned) => {
      const outer = this.spawnProc(['ip', 'netns', 'exec', spec.netns, 'unshare', 'sh', '-c', 'hold', 'nslab-holder', spec.hostname]);
      spawned?.({ pid: outer.pid, start: outer.start });
      this.holders.push({ spec, outer });
      if (this.holdFails) {
        this.die(outer.pid, 'exited with status 1');
        return { outer: { pid: outer.pid, start: outer.start }, holder: undefined, why: `exited with status 1: ${this.holdFails}` };
      }
      const inner = spec.isolate.pid ? this.spawnProc(['sh', '-c', 'hold', 'nslab-holder', spec.hostname], outer.pid) : outer;
      return { outer: { pid: outer.pid, start: outer.start }, holder: { pid: inner.pid, start: inner.start } };
    },
    run: async (spec) => {
      this.runs.push(spec);
      const b = this.behave(spec.command);
      return { code: b.exitCode ?? 0, signal: null, timedOut: false, output: b.output ?? '' };
    },
    background: (spec) => {
      const p = this.spawnProc(spec.argv);
      return { pid: p.pid, start: p.start };
    },
    check: (a) => {
      this.checks.push(`${a.netns} ${a.command.join(' ')}`);
      return this.behave(a.command).ready ?? true;
    },
    exec: async (a) => {
      this.execs.push({ netns: a.netns, ...(a.join === undefined ? {} : { join: a.join }), argv: a.argv });
      return { code: 0, signal: null };
    },
    execCapture: async (a) => ({
      code: 0,
      signal: null,
      stdout: Buffer.from(`${a.argv.join(' ')}\n`),
      stderr: Buffer.alloc(0),
      truncated: false,
      timedOut: false,
    }),
    startTime: (pid) => (this.procs.get(pid)?.running ? this.procs.get(pid)?.start : undefined),
    alive: (id) => this.same(id) !== undefined,
    signal: (id, sig) => {
      const p = this.same(id);
      if (p) this.hit(p, sig);
      return p !== undefined;
    },
    groupAlive: (leader) => this.groupAlive(leader),
    signalGroup: (leader, sig) => {
      if (!this.groupAlive(leader)) return;
      for (const p of [...this.procs.values()]) if (p.pgid === leader.pid && p.running) this.hit(p, sig, true);
    },
    findCommand: (cmd) => (cmd.includes('/') ? cmd : `/usr/bin/${cmd}`),
  };

  readonly proc: System['proc'] = {
    netnsOfPid: (pid) => (this.procs.get(pid)?.running ? 1 : undefined),
    exists: (pid) => this.procs.get(pid)?.running === true,
    ownNetns: () => 1,
    netnsInode: (name) => {
      const i = this.kernel.netnsList().indexOf(name);
      return i < 0 ? undefined : 100 + i;
    },
    namedNetns: () => new Map(this.kernel.netnsList().map((n, i) => [n, 100 + i])),
    scanNetns: () => ({ byNetns: new Map(), unreadable: 0 }),
    inspect: () => undefined,
  };

  readonly locks: System['locks'] = {
    tryLock: (path): HeldLock | { busy: true; holder?: number } => {
      if (this.heldLocks.has(path)) return { busy: true, holder: 1 };
      // The file too: the state root's scans (clean) see lock files as they would on a host.
      writeFileSync(path, `${process.pid}\n`);
      const fd = this.nextFd++;
      this.heldLocks.set(path, fd);
      return { fd, path };
    },
    adopt: () => undefined,
    release: (l) => {
      if (this.heldLocks.get(l.path) === l.fd) this.heldLocks.delete(l.path);
    },
    remove: (l) => {
      rmSync(l.path, { force: true });
      this.locks.release(l);
    },
    held: (path) => this.heldLocks.has(path),
  };

  /** The groups namespaces were created in, from the fake kernel's log (still present ones only). */
  private groupOf(name: string): string | undefined {
    if (!this.kernel.netnsList().includes(name)) return undefined;
    const op = this.kernel.log.findLast((o) => o.op === 'netns.create' && o.name === name);
    return op?.op === 'netns.create' ? op.group : undefined;
  }

  readonly host: System['host'] = {
    limits: () => ({ cpus: 4, neigh: { cap: 1024, capKnown: true, entries: 0 }, openFiles: { soft: 65536, hard: 65536, inUse: 10 } }),
    openFdCount: () => 10,
    netnsList: () => this.kernel.netnsList(),
    netnsExists: (name) => this.kernel.netnsList().includes(name),
    netnsGroupOf: (name) => this.groupOf(name),
    deleteGroup: (group, names) => {
      this.kernel.run(names.map((name) => ({ op: 'netns.delete' as const, name, group })));
    },
    markers: {
      netnsSymlinks: () =>
        this.kernel.netnsList().flatMap((name) => {
          const g = this.groupOf(name);
          return g === undefined ? [] : [{ name, target: `${GROUP_DIR}/${g}/${name}` }];
        }),
      groupDirs: () => {
        const groups = new Map<string, string[]>();
        for (const name of this.kernel.netnsList()) {
          const g = this.groupOf(name);
          if (g !== undefined) groups.set(g, [...(groups.get(g) ?? []), name]);
        }
        return [...groups].map(([group, members]) => ({ group, members }));
      },
      hostsSymlinks: () => [],
    },
    raiseNeighLimit: () => undefined,
    restoreNeighLimit: () => {},
    netnsPool: () => ({ take: () => undefined, dispose: () => {} }),
  };

  /** A FIFO is its log file here: what a process writes lands in the log at once. */
  readonly pipes: System['pipes'] = {
    make: () => 'made',
    openWriter: (path) => openSync(path.replace(/\.pipe$/, '.log'), 'a'),
    unread: () => 0,
    close: (fd) => closeSync(fd),
  };

  /** Probe rounds run so far (each call of probe.run); `onProbe` is told before each, to change the kernel. */
  probeRounds = 0;
  onProbe: (round: number, specs: readonly ProbeSpec[]) => void = () => {};

  /** Reached when the source has a route to the target, the target exists in some namespace, and it has a route back. */
  private answer(p: ProbeSpec): ProbeOutcome {
    const k = this.kernel;
    const miss = (reason: string, sent = 1): ProbeOutcome => ({ id: p.id, reached: false, reason, attempts: 1, sent, received: 0 });
    if (!k.netnsList().includes(p.netns)) return miss(`no namespace ${p.netns}`, 0);
    const there = k.routeGet(p.netns, { dst: p.dst });
    if (there?.type === 'local') return { id: p.id, reached: true, rttMs: 0.01, attempts: 1, sent: 1, received: 1 };
    if (there?.type !== 'unicast') return miss('network unreachable', 0);
    const owner = k.netnsList().find((ns) => {
      const snap = k.snapshot(ns);
      const up = new Set(snap?.links.filter((l) => l.up).map((l) => l.name));
      return snap?.addrs.some((a) => up.has(a.dev) && a.cidr.split('/')[0] === p.dst);
    });
    const back = owner && there.src ? k.routeGet(owner, { dst: there.src }) : undefined;
    if (back?.type !== 'unicast' && back?.type !== 'local') return miss('timeout');
    return { id: p.id, reached: true, rttMs: 0.05, attempts: 1, sent: 1, received: 1 };
  }

  readonly probe: System['probe'] = {
    run: async (probes) => {
      this.onProbe(++this.probeRounds, probes);
      return probes.map((p) => this.answer(p));
    },
    neighLimits: () => ({ cap: 1024, capKnown: true, entries: 0 }),
  };

  /** Captures started, by spec. */
  readonly captures: CaptureSpec[] = [];

  readonly capture: System['capture'] = {
    start: (spec): Capture => {
      this.captures.push(spec);
      const p = this.spawnProc(['tcpdump', '-i', spec.iface]);
      const stdout = new EventEmitter();
      let end: (e: { code: number | null; signal: string | null }) => void = () => {};
      const ended = new Promise<{ code: number | null; signal: string | null }>((r) => {
        end = r;
      });
      const stop = (sig: string): void => {
        p.running = false;
        end({ code: null, signal: sig });
      };
      return {
        pid: p.pid,
        stdout: stdout as unknown as Capture['stdout'],
        ready: Promise.resolve(),
        ended,
        equivalent: `tcpdump -i ${spec.iface}`,
        stop: () => stop('SIGTERM'),
        kill: () => stop('SIGKILL'),
      };
    },
    isCapture: (pid) => this.procs.get(pid)?.argv[0] === 'tcpdump',
  };
}
