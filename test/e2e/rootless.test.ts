// Rootless mode end to end, as users made inside the sandbox (numeric uids with no capabilities,
// each with its own $XDG_RUNTIME_DIR under the sandbox's /run): a user builds, tests, enters and
// takes down a lab of their own; two users have labs of the same name and subnets at once, each
// seeing only theirs, and root's labs are invisible to them (and theirs to root); a holder killed
// with SIGKILL leaves a lab that `down` still removes completely. "Nothing left" is checked as
// the kernel sees it: no process of the user's, no holder pid file, no lab state.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { needRoot } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, EXAMPLES, labFile, nslabOk, withSandbox } from './lab.js';

// Uids no one else on this machine uses; the test kills what they run when it ends.
const ALICE = 64191;
const BOB = 64192;

function runtime(uid: number): string {
  return `/run/user/${uid}`;
}

/** Run nslab as `uid` in the sandbox, without capabilities, with its runtime directory (and cwd EXAMPLES). */
function as(sb: Sandbox, uid: number, ...args: string[]): ReturnType<Sandbox['run']> {
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime(uid), NSLAB_ROOTLESS: undefined, NSLAB_STATE_DIR: undefined };
  const inExamples = ['sh', '-c', 'cd "$0" && exec "$@"', EXAMPLES];
  return sb.run(inExamples.concat(['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', process.execPath, BIN, ...args]), {
    timeoutMs: 60_000,
    env,
  });
}

async function asOk(sb: Sandbox, uid: number, ...args: string[]): Promise<string> {
  const r = await as(sb, uid, ...args);
  assert.equal(r.code, 0, `uid ${uid}: nslab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Make the user's runtime directory (as a login manager would: theirs, 0700). */
async function makeUser(sb: Sandbox, uid: number): Promise<void> {
  const d = runtime(uid);
  const r = await sb.run(['sh', '-c', `mkdir -p ${d} && chown ${uid}:${uid} ${d} && chmod 700 ${d}`]);
  assert.equal(r.code, 0, r.stderr);
}

/** PIDs of live (not zombie) processes of uid, anywhere on the machine. */
function processesOf(uid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(real) === uid && !/^State:\s+Z/m.test(status)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The user's labs as `ls --json` lists them. */
async function labsOf(sb: Sandbox, uid: number): Promise<string[]> {
  return (JSON.parse(await asOk(sb, uid, 'ls', '--json')) as Array<{ name: string }>).map((l) => l.name);
}

/** Nothing of the user's is left: no process, no holder, no lab state. */
async function assertNothingLeft(sb: Sandbox, uid: number): Promise<void> {
  // A stopped holder takes a moment to be gone from /proc.
  for (let i = 0; i < 50 && processesOf(uid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(processesOf(uid), [], `uid ${uid} still runs processes`);
  const r = await sb.run(['sh', '-c', `ls -A ${runtime(uid)}/nslab ${runtime(uid)}/nslab/state`]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /holder\.pid/);
  assert.match(r.stdout, /state:\n$/, `no lab state is left: ${r.stdout}`);
}

/** Kill (by PID) whatever the test's users still run, also when the test failed. */
function killUsers(): void {
  for (const uid of [ALICE, BOB]) {
    for (const pid of processesOf(uid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function usable(t: Parameters<typeof needRoot>[0]): boolean {
  if (!needRoot(t)) return false;
  const probe = spawnSync(
    'setpriv',
    [`--reuid=${ALICE}`, `--regid=${ALICE}`, '--clear-groups', '--', 'unshare', '--user', '--map-root-user', '--net', 'true'],
    { timeout: 10_000 },
  );
  if (probe.status !== 0) {
    t.skip('this machine does not allow unprivileged user namespaces (nslab doctor says how to enable them)');
    return false;
  }
  return true;
}

test('rootless: a user builds, tests, enters and takes down a lab; down leaves nothing', async (t) => {
  if (!usable(t)) return;
  try {
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      // A file name relative to the user's cwd (the command runs again inside the holder's mounts).
      const up = await asOk(sb, ALICE, 'up', 'containers.yaml');
      assert.match(up, /lab containers: up/);
      assert.match(await asOk(sb, ALICE, 'up', join(EXAMPLES, 'containers.yaml')), /nothing changed/, 'a second up changes nothing');
      assert.match(await asOk(sb, ALICE, 'test', 'containers'), /1\/1 hold/);
      // Inside, the node is isolated as for root: its own hostname and PID namespace.
      assert.equal((await asOk(sb, ALICE, 'exec', 'containers', 'c1', '--', 'hostname')).trim(), 'c1');
      // What rootless mode cannot do is one line, not a tool's complaint.
      const cap = await as(sb, ALICE, 'capture', 'containers', 'c1', '-c', '1');
      assert.equal(cap.code, 1, cap.stderr);
      assert.match(cap.stderr, /^nslab: capture is not available in rootless mode: .*\n$/);
      // ui serves on 127.0.0.1 of the user's own network (the sandbox's), not the holder's.
      const ui = spawn(
        'nsenter',
        [
          '-t',
          String(sb.pid),
          '-n',
          '-m',
          '--',
          'setpriv',
          `--reuid=${ALICE}`,
          `--regid=${ALICE}`,
          '--clear-groups',
          '--',
          process.execPath,
          BIN,
          'ui',
          'containers',
          '--port',
          '0',
        ],
        {
          env: { ...process.env, XDG_RUNTIME_DIR: runtime(ALICE), NSLAB_ROOTLESS: undefined, NSLAB_STATE_DIR: undefined },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        let out = '';
        ui.stdout.on('data', (d: Buffer) => (out += d.toString()));
        for (let i = 0; i < 150 && !/token=\S+/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
        const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)?.[0];
        assert.ok(url, `ui printed no URL: ${out}`);
        const page = await sb.run([
          process.execPath,
          '-e',
          'fetch(process.argv[1]).then((r) => r.text()).then((t) => console.log(t.length > 0 && /<html/i.test(t)))',
          url,
        ]);
        assert.equal(page.stdout.trim(), 'true', page.stderr);
      } finally {
        ui.kill('SIGINT');
        await new Promise((r) => ui.once('close', r));
      }
      const show = JSON.parse(await asOk(sb, ALICE, 'show', 'containers', '--json')) as unknown;
      assert.match(JSON.stringify(show), /172\.31\.0\./);
      // The sandbox's own network (the user's "real" one) gained nothing.
      const links = await sb.run(['ip', '-o', 'link']);
      assert.doesNotMatch(links.stdout, /containers|bridge-/);
      await asOk(sb, ALICE, 'down', 'containers');
      await assertNothingLeft(sb, ALICE);
    });
  } finally {
    killUsers();
  }
});

test('rootless: two users have labs of the same name and subnets at once; neither sees the other nor root', async (t) => {
  if (!usable(t)) return;
  try {
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      await makeUser(sb, BOB);
      await nslabOk(sb, 'up', join(EXAMPLES, 'veth-pair.yaml'));
      assert.deepEqual(await labsOf(sb, ALICE), [], "root's labs are not listed to a user");
      const ups = await Promise.all([as(sb, ALICE, 'up', join(EXAMPLES, 'bridge.yaml')), as(sb, BOB, 'up', join(EXAMPLES, 'bridge.yaml'))]);
      for (const r of ups) assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await labsOf(sb, ALICE), ['bridge']);
      assert.deepEqual(await labsOf(sb, BOB), ['bridge']);
      const rootLabs = (JSON.parse(await nslabOk(sb, 'ls', '--json')) as Array<{ name: string }>).map((l) => l.name);
      assert.deepEqual(rootLabs, ['pair'], "users' labs are not listed to root");
      assert.match(await asOk(sb, ALICE, 'test', 'bridge'), /2\/2 hold/);
      assert.match(await asOk(sb, BOB, 'test', 'bridge'), /2\/2 hold/);
      // A user cannot take down root's lab: it is not there for them (down of a lab that is not
      // up is nothing to do), and root's lab still works after.
      await asOk(sb, BOB, 'down', 'pair');
      assert.match(await nslabOk(sb, 'test', 'pair'), /hold/);
      await asOk(sb, ALICE, 'down', 'bridge');
      await assertNothingLeft(sb, ALICE);
      assert.match(await asOk(sb, BOB, 'test', 'bridge'), /2\/2 hold/, "bob's lab is untouched by alice's down");
      await asOk(sb, BOB, 'down', 'bridge');
      await assertNothingLeft(sb, BOB);
      await nslabOk(sb, 'test', 'pair');
      await nslabOk(sb, 'down', 'pair');
    });
  } finally {
    killUsers();
  }
});

test('rootless: the holder killed with SIGKILL leaves a lab that down removes completely', async (t) => {
  if (!usable(t)) return;
  try {
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      await asOk(sb, ALICE, 'up', join(EXAMPLES, 'containers.yaml'));
      const pidFile = await sb.run(['cat', `${runtime(ALICE)}/nslab/holder.pid`]);
      const holder = Number(pidFile.stdout.split(' ')[0]);
      assert.ok(holder > 1, pidFile.stdout);
      process.kill(holder, 'SIGKILL');
      // The lab's processes outlive the holder (they keep its namespaces); the journal knows them.
      assert.ok(processesOf(ALICE).length > 0);
      assert.deepEqual(await labsOf(sb, ALICE), ['containers']);
      await asOk(sb, ALICE, 'down', 'containers');
      await assertNothingLeft(sb, ALICE);
    });
  } finally {
    killUsers();
  }
});

test('rootless: without slirp4netns, nat: is refused in one line naming the package, before any change', async (t) => {
  if (!usable(t)) return;
  try {
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      // Hidden in the sandbox's mount namespace only, where it is installed.
      await sb.run([
        'sh',
        '-c',
        'for d in /usr/bin /bin /usr/sbin /sbin /usr/local/bin; do [ -f $d/slirp4netns ] && mount --bind /dev/null $d/slirp4netns; done; true',
      ]);
      const r = await as(sb, ALICE, 'up', join(EXAMPLES, 'nat.yaml'));
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /^nslab: lab \S+: nat: \(network \S+\) needs a user-mode network stack in rootless mode: install the Debian package slirp4netns .*nothing was changed\n$/,
      );
      await assertNothingLeft(sb, ALICE);
    });
  } finally {
    killUsers();
  }
});

test('rootless: up killed with SIGKILL part way (the command and the one it runs in the holder) leaves what down removes', async (t) => {
  if (!usable(t)) return;
  const star = labFile(
    ['name: star', 'networks:', '  n0: { subnet: 10.77.0.0/16, gateway: 10.77.0.1 }', 'nodes:']
      .concat(Array.from({ length: 60 }, (_, i) => `  h${i + 1}: { interfaces: { eth0: { network: n0, address: 10.77.0.${i + 2}/16 } } }`))
      .join('\n'),
  );
  try {
    chmodSync(dirname(star.path), 0o755);
    chmodSync(star.path, 0o644);
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      const running = as(sb, ALICE, 'up', star.path);
      // Part way: once the holder is up and the lab's journal exists, kill every nslab of the user's.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !existsSync(`/proc/${sb.pid}/root${runtime(ALICE)}/nslab/state/star/journal.jsonl`)) {
        await new Promise((r) => setTimeout(r, 10));
      }
      for (const pid of processesOf(ALICE)) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(BIN)) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await running;
      await asOk(sb, ALICE, 'down', 'star');
      await assertNothingLeft(sb, ALICE);
    });
  } finally {
    killUsers();
    star.done();
  }
});

test('rootless: the command SIGKILLed alone takes the one inside the holder with it; the lab lock is free at once and down removes all', async (t) => {
  if (!usable(t)) return;
  const star = labFile(
    ['name: star', 'networks:', '  n0: { subnet: 10.78.0.0/16, gateway: 10.78.0.1 }', 'nodes:']
      .concat(Array.from({ length: 200 }, (_, i) => `  h${i + 1}: { interfaces: { eth0: { network: n0, address: 10.78.${i >> 7}.${(i & 127) + 2}/16 } } }`))
      .join('\n'),
  );
  const ours = readlinkSync('/proc/self/ns/user');
  try {
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      chmodSync(dirname(star.path), 0o755);
      chmodSync(star.path, 0o644);
      const running = as(sb, ALICE, 'up', star.path);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !existsSync(`/proc/${sb.pid}/root${runtime(ALICE)}/nslab/state/star/journal.jsonl`)) {
        await new Promise((r) => setTimeout(r, 10));
      }
      // The user's signal reaches the command they started: the one in their own user namespace.
      const nslabs = processesOf(ALICE).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(BIN);
        } catch {
          return false;
        }
      });
      const userNs = (pid: number): string => {
        try {
          return readlinkSync(`/proc/${pid}/ns/user`);
        } catch {
          return '';
        }
      };
      const outer = nslabs.filter((pid) => userNs(pid) === ours);
      const inner = nslabs.filter((pid) => userNs(pid) !== ours && userNs(pid) !== '');
      assert.equal(outer.length, 1, `one outer nslab: ${nslabs}`);
      assert.ok(inner.length >= 1, `the up inside the holder runs: ${nslabs}`);
      process.kill(outer[0]!, 'SIGKILL');
      // Promptly: a 200-node up left to itself would run on for seconds.
      for (let i = 0; i < 10 && inner.some((pid) => processesOf(ALICE).includes(pid)); i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        inner.filter((pid) => processesOf(ALICE).includes(pid)),
        [],
        'the command inside the holder died with the one the user killed',
      );
      // (Only now: the run's output pipes close when the last process holding them is gone.)
      await running;
      // Nobody holds the lab's lock: down neither waits nor says so.
      const down = await as(sb, ALICE, 'down', 'star');
      assert.equal(down.code, 0, down.stderr);
      assert.doesNotMatch(down.stderr, /waiting/);
      await assertNothingLeft(sb, ALICE);
    });
  } finally {
    killUsers();
    star.done();
  }
});

test('rootless: after a SIGKILLed holder or up, clean leaves the lab whose journal is whole to down, and together they leave nothing', async (t) => {
  if (!usable(t)) return;
  try {
    await withSandbox(t, async (sb) => {
      await makeUser(sb, ALICE);
      // The holder killed under a lab with processes (they keep its namespaces alive).
      await asOk(sb, ALICE, 'up', join(EXAMPLES, 'containers.yaml'));
      const holder = Number((await sb.run(['cat', `${runtime(ALICE)}/nslab/holder.pid`])).stdout.split(' ')[0]);
      assert.ok(holder > 1);
      process.kill(holder, 'SIGKILL');
      const c1 = await as(sb, ALICE, 'clean', '--yes');
      assert.equal(c1.code, 0, c1.stderr);
      assert.deepEqual(await labsOf(sb, ALICE), ['containers'], "a lab with a whole journal is down's, not clean's");
      await asOk(sb, ALICE, 'down', 'containers');
      await assertNothingLeft(sb, ALICE);
      // An up killed part way, the command and the one inside.
      const running = as(sb, ALICE, 'up', join(EXAMPLES, 'routed.yaml'));
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !existsSync(`/proc/${sb.pid}/root${runtime(ALICE)}/nslab/state/routed/journal.jsonl`)) {
        await new Promise((r) => setTimeout(r, 5));
      }
      for (const pid of processesOf(ALICE)) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(BIN)) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await running;
      await asOk(sb, ALICE, 'down', 'routed');
      const c2 = await as(sb, ALICE, 'clean', '--yes');
      assert.equal(c2.code, 0, c2.stderr);
      await assertNothingLeft(sb, ALICE);
    });
  } finally {
    killUsers();
  }
});
