// Read-only process inspection through /proc: which network namespace each process is in (by
// namespace inode, as /proc/PID/ns/net shows it) and, for the ones asked about, the details
// `ps aux` shows. It never changes anything, so it stays outside the Kernel port. Processes come
// and go while we read: one that vanishes mid-scan is skipped, never an error.
import * as fs from 'node:fs';
import { NETNS_DIR, netnsPath, validNetnsName } from './netns.js';
import type { ProcNamespaces, ProcInfo, ScanResult } from '../port/procfs.js';
export type { ProcNamespaces, ProcInfo, ScanResult } from '../port/procfs.js';

/** Clock ticks per second in /proc (USER_HZ: 100 on every architecture Node runs on). */
const USER_HZ = 100;

/** The fields of /proc/PID/stat that ps uses. */
export interface ProcStat {
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  readonly tpgid: number;
  readonly utime: number;
  readonly stime: number;
  readonly nice: number;
  readonly threads: number;
  readonly starttime: number;
}

/** Parse /proc/PID/stat. comm may hold spaces and parentheses, so it ends at the LAST ")". */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // f[0] is field 3 of proc(5) (state), so field N is f[N - 3].
  const n = (field: number): number => Number(f[field - 3]);
  if (f.length < 22 || !Number.isFinite(n(22))) return undefined;
  return {
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: n(4),
    pgrp: n(5),
    session: n(6),
    tpgid: n(8),
    utime: n(14),
    stime: n(15),
    nice: n(19),
    threads: n(20),
    starttime: n(22),
  };
}

/** The fields of /proc/PID/status that ps uses. */
export interface ProcStatus {
  /** Effective UID (the second number of the Uid: line), as ps aux shows. */
  readonly uid?: number;
  readonly rssKb?: number;
  /** NSpid: the PID in each nested PID namespace, outermost first. */
  readonly nsPids?: readonly number[];
}

/** Parse /proc/PID/status ("Key:\tvalue" lines). */
export function parseStatus(text: string): ProcStatus {
  const out: { uid?: number; rssKb?: number; nsPids?: number[] } = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    const nums = m?.[2]?.trim().split(/\s+/).map(Number) ?? [];
    if (m?.[1] === 'Uid' && Number.isInteger(nums[1])) out.uid = nums[1]!;
    if (m?.[1] === 'VmRSS' && Number.isInteger(nums[0])) out.rssKb = nums[0]!;
    if (m?.[1] === 'NSpid' && nums.length > 0 && nums.every(Number.isInteger)) out.nsPids = nums;
  }
  return out;
}

/** Parse /etc/passwd into UID → name (the first name wins, as getpwuid). */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid) && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  return users;
}

/** The inode in a namespace link such as "net:[4026531840]", or undefined. */
export function parseNsLink(link: string): number | undefined {
  const m = /^\w+:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/** /proc/PID/cmdline as ps prints it: NULs become spaces; empty means a kernel thread or zombie. */
export function formatCommand(cmdline: Buffer | string, comm: string): string {
  const args = cmdline.toString().split('\0');
  if (args.at(-1) === '') args.pop();
  return args.length === 0 ? `[${comm}]` : args.join(' ');
}

/** The ps STAT column from stat fields. */
export function statColumn(pid: number, s: ProcStat): string {
  const nice = s.nice < 0 ? '<' : s.nice > 0 ? 'N' : '';
  return s.state + nice + (s.session === pid ? 's' : '') + (s.threads > 1 ? 'l' : '') + (s.tpgid === s.pgrp ? '+' : '');
}

/** Errors that mean "this process is gone (or not ours to read)": skip it. */
function skippable(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM';
}

/** Run fn, turning "process gone" errors into undefined. */
function unlessGone<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (skippable(e)) return undefined;
    throw e;
  }
}

/**
 * The network namespace inode of a process; undefined when there is no such process. Throws the
 * fs error (code EACCES or EPERM) when the process exists but may not be inspected.
 * `readlink /proc/PID/ns/net`
 */
export function netnsOfPid(pid: number): number | undefined {
  try {
    return parseNsLink(fs.readlinkSync(`/proc/${pid}/ns/net`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw e;
  }
}

/** The network namespace inode of this process (the "host" it runs in). */
export function ownNetns(): number {
  return parseNsLink(fs.readlinkSync('/proc/self/ns/net')) ?? 0;
}

/**
 * The namespace inode of a named netns: st_ino of the bind mount /run/netns/NAME. Undefined when
 * the name is missing or is a plain file (a mount that failed or was lazily detached).
 * `ip netns identify` in reverse.
 */
export function netnsInode(name: string): number | undefined {
  if (!validNetnsName(name)) return undefined;
  const st = unlessGone(() => fs.statSync(netnsPath(name), { throwIfNoEntry: false }));
  return st && st.dev === nsfsDev() ? st.ino : undefined;
}

/** Every named netns and its inode. `ip netns list` */
export function namedNetns(): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of unlessGone(() => fs.readdirSync(NETNS_DIR)) ?? []) {
    const ino = netnsInode(name);
    if (ino !== undefined) out.set(name, ino);
  }
  return out;
}

let nsfs: number | undefined;

/** st_dev of the namespace filesystem (stat follows /proc/self/ns/net to the nsfs inode). */
function nsfsDev(): number {
  nsfs ??= fs.statSync('/proc/self/ns/net').dev;
  return nsfs;
}

/**
 * The processes in the given network namespaces: one readdir of /proc, one readlink per process,
 * details only for the matches. `ps aux` filtered by `ip netns identify PID`.
 */
export function scanNetns(inodes: ReadonlySet<number>): ScanResult {
  const byNetns = new Map<number, ProcInfo[]>();
  let unreadable = 0;
  const ctx = inodes.size > 0 ? readContext() : undefined;
  for (const entry of ctx ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry)) continue;
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/${entry}/ns/net`);
    } catch (e) {
      if (!skippable(e)) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') unreadable++;
      continue;
    }
    const ino = parseNsLink(link);
    if (ino === undefined || !inodes.has(ino)) continue;
    const info = readProcess(Number(entry), ino, ctx!);
    if (!info) continue;
    const list = byNetns.get(ino);
    if (list) list.push(info);
    else byNetns.set(ino, [info]);
  }
  return { byNetns, unreadable };
}

/** The details of one process, or undefined when it is gone. */
export function inspectProcess(pid: number): ProcInfo | undefined {
  const net = netnsOfPid(pid);
  return net === undefined ? undefined : readProcess(pid, net, readContext());
}

/** What every process's details are computed against, read once per scan. */
interface Context {
  readonly users: ReadonlyMap<number, string>;
  readonly bootMs: number;
  readonly uptime: number;
}

function readContext(): Context {
  const passwd = unlessGone(() => fs.readFileSync('/etc/passwd', 'utf8')) ?? '';
  const btime = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1];
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return { users: parsePasswd(passwd), bootMs: Number(btime ?? 0) * 1000, uptime };
}

function readProcess(pid: number, net: number, ctx: Context): ProcInfo | undefined {
  return unlessGone(() => {
    const s = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!s) return undefined;
    const st = parseStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`);
    const command = s.state === 'Z' ? `[${s.comm}] <defunct>` : formatCommand(cmdline, s.comm);
    const cpuSeconds = (s.utime + s.stime) / USER_HZ;
    const age = ctx.uptime - s.starttime / USER_HZ;
    const nsPid = st.nsPids && st.nsPids.length > 1 ? st.nsPids.at(-1) : undefined;
    return {
      pid,
      ppid: s.ppid,
      uid: st.uid ?? -1,
      user: st.uid === undefined ? '?' : (ctx.users.get(st.uid) ?? String(st.uid)),
      stat: statColumn(pid, s),
      rssKb: st.rssKb ?? 0,
      startedAt: ctx.bootMs + (s.starttime * 1000) / USER_HZ,
      cpuSeconds,
      cpuPercent: age > 0 ? Math.round((cpuSeconds / age) * 1000) / 10 : 0,
      command,
      ...(nsPid === undefined ? {} : { nsPid }),
      ns: { net, ...otherNamespaces(pid) },
    };
  });
}

function otherNamespaces(pid: number): Omit<ProcNamespaces, 'net'> {
  const read = (kind: string): number | undefined => {
    const link = unlessGone(() => fs.readlinkSync(`/proc/${pid}/ns/${kind}`));
    return link === undefined ? undefined : parseNsLink(link);
  };
  const [p, mnt, uts] = [read('pid'), read('mnt'), read('uts')];
  return { ...(p === undefined ? {} : { pid: p }), ...(mnt === undefined ? {} : { mnt }), ...(uts === undefined ? {} : { uts }) };
}

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22), or undefined when gone. */
export function startTimeOf(pid: number): number | undefined {
  return unlessGone(() => parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')))?.starttime;
}

/** Whether PID still names the process that started at `start` (and is not a zombie). */
export function sameProcess(pid: number, start: number): boolean {
  const s = unlessGone(() => parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')));
  return s !== undefined && s.starttime === start && s.state !== 'Z' && s.state !== 'X';
}

/** PIDs whose parent is `ppid` (a scan of /proc). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = unlessGone(() => parseStat(fs.readFileSync(`/proc/${d}/stat`, 'utf8')));
    if (s?.ppid === ppid) out.push(Number(d));
  }
  return out;
}

/** Live (non-zombie) processes whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = unlessGone(() => parseStat(fs.readFileSync(`/proc/${d}/stat`, 'utf8')));
    if (s?.pgrp === pgid && s.state !== 'Z' && s.state !== 'X') out.push(Number(d));
  }
  return out;
}
