// `nslab capture` end to end in a sandbox: the seed 001 ARP exchange and a ping seen with node
// names, the pcapng read back by tcpdump -r, two capture points merged in time order, filters,
// stopping (Ctrl-C, -c, --duration, stdout closed, nslab SIGKILLed) and bad targets (exit 2).
// The MACs are checked against `ip link`, the file against tcpdump's own reading of it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, ipJson, killByPid, labFile, nslab, nslabOk, processAlive, withSandbox } from './lab.js';

const LAB = `name: cap
networks:
  br0: { subnet: 10.83.0.0/24, gateway: 10.83.0.1 }
nodes:
  netns1:
    interfaces: { ceth1: { network: br0, address: 10.83.0.11/24 } }
  netns2:
    interfaces: { ceth2: { network: br0, address: 10.83.0.12/24 } }
`;

/** A capture running in the background inside the sandbox. */
interface Running {
  readonly pid: number;
  /** Resolves when it says it is capturing (rejects if it exits first). */
  readonly ready: Promise<void>;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout(): string;
}

/** Start `nslab capture ARGS` (or a shell pipeline around it) in the sandbox; killed after 30 s at the latest. */
function background(sb: Sandbox, argv: readonly string[]): Running {
  const child = spawn('nsenter', ['-t', String(sb.pid), '-n', '-m', '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', () => err.includes('capturing on') && resolve());
    void done.then((r) => reject(new Error(`capture exited (${r.code}) before it was ready: ${r.stderr}`)));
  });
  return { pid: child.pid!, ready, done, stdout: () => out };
}

const capture = (sb: Sandbox, ...args: string[]): Running => background(sb, [process.execPath, BIN, 'capture', ...args]);

/** Poll (bounded, 10 s) until fn holds. */
async function until(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The tcpdump children of a running nslab (its main thread spawns them). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function macOf(sb: Sandbox, netns: string, dev: string): Promise<string> {
  const [l] = await ipJson<Array<{ address: string }>>(sb, '-n', netns, 'link', 'show', dev);
  return l!.address;
}

/** if_name of every interface description block of a pcapng file. */
function pcapngInterfaces(file: string): string[] {
  const b = readFileSync(file);
  const names: string[] = [];
  for (let off = 0; off + 12 <= b.length; off += b.readUInt32LE(off + 4)) {
    if (b.readUInt32LE(off) !== 1) continue;
    for (let o = off + 16; o + 4 <= off + b.readUInt32LE(off + 4) - 4; ) {
      const [code, len] = [b.readUInt16LE(o), b.readUInt16LE(o + 2)];
      if (code === 0) break;
      if (code === 2) names.push(b.subarray(o + 4, o + 4 + len).toString());
      o += 4 + ((len + 3) & ~3);
    }
  }
  return names;
}

/** Microseconds since midnight of a line's `HH:MM:SS.uuuuuu`. */
function timeOf(line: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)\.(\d{6}) /.exec(line);
  assert.ok(m, `no time in: ${line}`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1e6 + Number(m[4]);
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

test('capture on a node shows the ARP exchange and the ping with node names; -w writes the same packets for tcpdump -r', (t) =>
  withSandbox(t, ['tcpdump', 'ping'], async (sb) => {
    const { path, done } = labFile(LAB);
    const dir = mkdtempSync(join(tmpdir(), 'nslab-capture-'));
    const file = join(dir, 'netns2.pcapng');
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', path);
      const live = capture(sb, 'cap', 'netns2');
      const toFile = capture(sb, 'cap', 'netns2', '-f', 'arp or icmp', '-c', '4', '-w', file);
      pids.push(live.pid, toFile.pid);
      await Promise.all([live.ready, toFile.ready]);
      const tcpdumps = childrenOf(live.pid);
      assert.equal(tcpdumps.length, 1, 'one tcpdump for the one interface of netns2');
      pids.push(...tcpdumps);
      await nslabOk(sb, 'exec', 'cap', 'netns1', '--', 'ping', '-c', '1', '-W', '3', '10.83.0.12');

      // -c 4 stops by itself after the ARP request and reply and the echo request and reply
      const written = await toFile.done;
      assert.equal(written.code, 0, written.stderr);
      assert.match(written.stderr, /^4 packets captured$/m);
      assert.equal(written.stdout, '', '-w prints no lines');

      // Ctrl-C stops the live one cleanly with a count, and its tcpdump is gone
      await until('the echo reply line', () => /ICMP echo reply/.test(live.stdout()));
      process.kill(live.pid, 'SIGINT');
      const r = await live.done;
      assert.equal(r.code, 0, r.stderr);
      const count = /^(\d+) packets captured$/m.exec(r.stderr);
      assert.ok(count, r.stderr);
      assert.equal(Number(count[1]), lines(r.stdout).length);
      for (const p of tcpdumps) assert.ok(!processAlive(p), `tcpdump ${p} outlived nslab capture`);

      const mac1 = await macOf(sb, 'cap-netns1', 'ceth1');
      const mac2 = await macOf(sb, 'cap-netns2', 'ceth2');
      const out = lines(r.stdout);
      const find = (re: RegExp): string => out.find((l) => re.test(l)) ?? assert.fail(`no line matches ${re}:\n${r.stdout}`);
      const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const at = `^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} netns2:ceth2  `;
      const who = find(
        new RegExp(
          `${at}${esc(mac1)} \\(netns1:ceth1\\) > ff:ff:ff:ff:ff:ff \\(broadcast\\), ARP, Request who-has 10\\.83\\.0\\.12 \\(netns2\\) tell 10\\.83\\.0\\.11 \\(netns1\\)$`,
        ),
      );
      const isAt = find(
        new RegExp(
          `${at}${esc(mac2)} \\(netns2:ceth2\\) > ${esc(mac1)} \\(netns1:ceth1\\), ARP, Reply 10\\.83\\.0\\.12 \\(netns2\\) is-at ${esc(mac2)} \\(netns2:ceth2\\)$`,
        ),
      );
      const req = find(
        new RegExp(
          `${at}${esc(mac1)} \\(netns1:ceth1\\) > ${esc(mac2)} \\(netns2:ceth2\\), IPv4, 10\\.83\\.0\\.11 \\(netns1\\) > 10\\.83\\.0\\.12 \\(netns2\\): ICMP echo request, id \\d+, seq 1, length 64$`,
        ),
      );
      const rep = find(
        new RegExp(
          `${at}${esc(mac2)} \\(netns2:ceth2\\) > ${esc(mac1)} \\(netns1:ceth1\\), IPv4, 10\\.83\\.0\\.12 \\(netns2\\) > 10\\.83\\.0\\.11 \\(netns1\\): ICMP echo reply, id \\d+, seq 1, length 64$`,
        ),
      );
      assert.deepEqual(
        [who, isAt, req, rep].map((l) => out.indexOf(l)),
        [who, isAt, req, rep].map((l) => out.indexOf(l)).sort((a, b) => a - b),
        'in the order they happened',
      );

      // the file: one interface named as the lines name it, the same four packets as tcpdump reads them
      assert.deepEqual(pcapngInterfaces(file), ['netns2:ceth2']);
      const read = await sb.run(['tcpdump', '-r', file, '-nn', '-e']);
      assert.equal(read.code, 0, read.stderr);
      const got = lines(read.stdout);
      assert.equal(got.length, 4, read.stdout);
      assert.match(got[0]!, new RegExp(`${esc(mac1)} > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10\\.83\\.0\\.12 tell 10\\.83\\.0\\.11`));
      assert.match(got[1]!, new RegExp(`${esc(mac2)} > ${esc(mac1)}, ethertype ARP .*Reply 10\\.83\\.0\\.12 is-at ${esc(mac2)}`));
      assert.match(got[2]!, /10\.83\.0\.11 > 10\.83\.0\.12: ICMP echo request/);
      assert.match(got[3]!, /10\.83\.0\.12 > 10\.83\.0\.11: ICMP echo reply/);
      // the same ping as the live capture saw
      const ids = (ls: readonly string[]): string[] => ls.map((l) => /ICMP echo \w+, (id \d+, seq \d+)/.exec(l)?.[1] ?? '');
      assert.deepEqual(ids(got.slice(2)), ids([req, rep]));
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'cap');
      rmSync(dir, { recursive: true, force: true });
      done();
    }
  }));

test('two capture points are merged in time order; a filter limits the output; --duration stops by itself', (t) =>
  withSandbox(t, ['tcpdump', 'ping'], async (sb) => {
    const { path, done } = labFile(LAB);
    const dir = mkdtempSync(join(tmpdir(), 'nslab-capture-'));
    const file = join(dir, 'two.pcapng');
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', path);
      const c = capture(sb, 'cap', 'netns1', 'br0', '-f', 'icmp', '--duration', '2', '-w', file, '--print');
      pids.push(c.pid);
      await c.ready;
      pids.push(...childrenOf(c.pid));
      await nslabOk(sb, 'exec', 'cap', 'netns1', '--', 'ping', '-c', '1', '-W', '3', '10.83.0.12');
      const r = await c.done; // no signal: --duration ends it
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      assert.match(r.stderr, new RegExp(`^${out.length} packets captured$`, 'm'));
      assert.ok(
        out.every((l) => /ICMP echo (request|reply)/.test(l)),
        `the filter let more than ICMP through:\n${r.stdout}`,
      );
      assert.ok(!out.some((l) => /ARP/.test(l)));
      const label = (l: string): string => l.slice(16).split(/\s+/)[0]!;
      // each packet is seen at both points: the request leaves netns1 before it crosses the bridge,
      // the reply crosses the bridge before it reaches netns1
      const seen = new Map(out.map((l) => [`${/echo (request|reply)/.exec(l)?.[1]}@${label(l)}`, timeOf(l)]));
      assert.deepEqual([...seen.keys()].sort(), ['reply@br0', 'reply@netns1:ceth1', 'request@br0', 'request@netns1:ceth1']);
      assert.ok(seen.get('request@netns1:ceth1')! <= seen.get('request@br0')!, r.stdout);
      assert.ok(seen.get('reply@br0')! <= seen.get('reply@netns1:ceth1')!, r.stdout);
      const times = out.map(timeOf);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        `lines in time order:\n${r.stdout}`,
      );
      // labels are padded to one width ('netns1:ceth1'), so the MACs line up
      for (const l of out) assert.match(l.slice(16 + 12 + 2), /^[0-9a-f]{2}:[0-9a-f]{2}:/, l);
      // the file has both interfaces, named, and the same packets
      assert.deepEqual(pcapngInterfaces(file), ['netns1:ceth1', 'br0']);
      const read = await sb.run(['tcpdump', '-r', file, '-nn']);
      assert.equal(read.code, 0, read.stderr);
      assert.equal(lines(read.stdout).length, out.length, read.stdout);
      for (const p of pids) assert.ok(!processAlive(p), `PID ${p} still runs after --duration`);
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'cap');
      rmSync(dir, { recursive: true, force: true });
      done();
    }
  }));

test('bad targets and filters exit 2; tcpdump dies with nslab, killed or with its output closed', (t) =>
  withSandbox(t, ['tcpdump', 'ping'], async (sb) => {
    const { path, done } = labFile(LAB);
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', path);
      for (const [args, re] of [
        [['nope'], /has no node nope \(nodes: netns1, netns2; networks: br0\)/],
        [['netns1:eth9'], /node netns1 of lab cap has no interface eth9 \(interfaces: ceth1\)/],
        [['netns1', '-f', 'not a filter ('], /-f "not a filter \(": tcpdump cannot use it/],
        [['netns1', '-c', 'many'], /-c wants a whole number/],
      ] as const) {
        const r = await nslab(sb, 'capture', 'cap', ...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re);
      }
      const unknownLab = await nslab(sb, 'capture', 'nolab', 'netns1');
      assert.equal(unknownLab.code, 2, unknownLab.stderr);
      assert.match(unknownLab.stderr, /no lab named nolab is up \(labs up: cap\)/);

      // SIGKILL: nslab gets no chance to clean up; the kernel ends its tcpdumps (parent-death signal)
      const killed = capture(sb, 'cap', 'netns1', 'netns2', 'br0');
      pids.push(killed.pid);
      await killed.ready;
      const kids = childrenOf(killed.pid);
      assert.equal(kids.length, 3);
      pids.push(...kids);
      process.kill(killed.pid, 'SIGKILL');
      await killed.done;
      await until('the tcpdumps of a killed nslab to die', () => kids.every((p) => !processAlive(p)));

      // the reader of stdout goes away (`| head -n 1`): capture stops at its next line
      const piped = background(sb, ['sh', '-c', `"$0" "$1" capture cap netns1 -f icmp | head -n 1`, process.execPath, BIN]);
      pids.push(piped.pid);
      await piped.ready;
      const capturer = childrenOf(piped.pid).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('capture'));
      assert.ok(capturer, 'nslab capture runs under the shell');
      const its = childrenOf(capturer);
      assert.equal(its.length, 1);
      pids.push(capturer, ...its);
      await nslabOk(sb, 'exec', 'cap', 'netns1', '--', 'ping', '-c', '3', '-i', '0.2', '-W', '3', '10.83.0.12');
      const r = await piped.done;
      assert.equal(lines(r.stdout).length, 1, r.stdout);
      assert.match(r.stdout, /ICMP echo request/);
      await until('nslab and its tcpdump to end after head left', () => !processAlive(capturer) && !processAlive(its[0]!));
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'cap');
      done();
    }
  }));

test('a network of a lab built with --host-netns is captured on its bridge in that namespace', (t) =>
  withSandbox(t, ['tcpdump', 'ping'], async (sb) => {
    const { path, done } = labFile(LAB);
    const pids: number[] = [];
    try {
      const made = await sb.run(['ip', 'netns', 'add', 'fakehost']);
      assert.equal(made.code, 0, made.stderr);
      await nslabOk(sb, 'up', path, '--host-netns', 'fakehost');
      const c = capture(sb, 'cap', 'br0', '-f', 'icmp', '-c', '2');
      pids.push(c.pid);
      await c.ready;
      await nslabOk(sb, 'exec', 'cap', 'netns2', '--', 'ping', '-c', '1', '-W', '3', '10.83.0.1');
      const r = await c.done;
      assert.equal(r.code, 0, r.stderr);
      const out = lines(r.stdout);
      assert.equal(out.length, 2, r.stdout);
      assert.match(
        out[0]!,
        /^\S+ br0 {2}\S+ \(netns2:ceth2\) > \S+ \(br0 gateway\), IPv4, 10\.83\.0\.12 \(netns2\) > 10\.83\.0\.1 \(br0 gateway\): ICMP echo request/,
      );
      assert.match(out[1]!, /ICMP echo reply/);
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'cap');
      done();
    }
  }));

test("down stops the lab's own captures first: the capture ends by itself, and down leaves nothing", (t) =>
  withSandbox(t, ['tcpdump'], async (sb) => {
    const { path, done } = labFile(LAB);
    const pids: number[] = [];
    try {
      const before = await ipJson<Array<{ ifname: string }>>(sb, 'link', 'show');
      await nslabOk(sb, 'up', path);
      // A node's tcpdump holds its namespace (and veth): before, down failed halfway because of it.
      const running = capture(sb, 'cap', 'netns1', 'br0');
      pids.push(running.pid);
      await running.ready;
      const kids = childrenOf(running.pid);
      pids.push(...kids);
      const r = await nslab(sb, 'down', 'cap');
      assert.equal(r.code, 0, `down with a capture running: ${r.stderr}`);
      const ended = await running.done;
      assert.equal(ended.code, 0, `the capture ends cleanly when down stops its tcpdumps: ${ended.stderr}`);
      assert.ok(
        kids.every((p) => !processAlive(p)),
        'its tcpdumps are gone',
      );
      const after = await ipJson<Array<{ ifname: string }>>(sb, 'link', 'show');
      assert.deepEqual(
        after.map((l) => l.ifname),
        before.map((l) => l.ifname),
        'no bridge or veth left',
      );
      assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout.trim(), '');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'cap');
      done();
    }
  }));
