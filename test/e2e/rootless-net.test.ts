// Rootless labs reaching out (issue 19), as the sandbox's own unprivileged user: `nat: true`
// leaves through the user-mode network stack (slirp4netns) into the user's network, here the
// sandbox, where "the internet" is one more namespace upstream (198.51.100.1, documentation
// addresses) answering TCP; `publish:` opens the port on the user's network and it reaches the
// node; a port below ip_unprivileged_port_start is refused in one line before any change; down
// leaves no process of the user's. Nothing real is ever contacted.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { sh } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { makeUser, userPids } from '../helpers/sandbox-user.js';
import { EXAMPLES, labFile, withSandbox } from './lab.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'nslab');
const UPSTREAM = '198.51.100.1';

/** "The internet": a namespace upstream of the sandbox with a TCP server on port 7000 saying "far". */
async function internet(sb: Sandbox): Promise<void> {
  for (const cmd of [
    'ip netns add inet',
    'ip link add up0 type veth peer name up1 netns inet',
    'ip addr add 198.51.100.2/24 dev up0',
    'ip link set up0 up',
    `ip -n inet addr add ${UPSTREAM}/24 dev up1`,
    'ip -n inet link set up1 up',
    'ip -n inet link set lo up',
  ])
    await sh(sb, ...cmd.split(' '));
}

/** Start a TCP server in the "internet" (killed with the sandbox). */
function farServer(sb: Sandbox): void {
  const js = "require('net').createServer((s) => s.end('far\\n')).listen(7000)";
  spawn('nsenter', ['-t', String(sb.pid), '-n', '-m', '--', 'ip', 'netns', 'exec', 'inet', process.execPath, '-e', js], { stdio: 'ignore', detached: false });
}

/** A TCP client as node -e: prints what the server says. */
function fetchJs(host: string, port: number): string {
  return `const s=require('net').connect({host:'${host}',port:${port},timeout:3000});s.on('data',(d)=>process.stdout.write(d));s.on('error',(e)=>{console.error(e.message);process.exit(1)});s.on('timeout',()=>process.exit(1))`;
}

/** Connect from the user's own network (the sandbox itself, never the holder) to 127.0.0.1:port. */
function fromUserNetwork(sb: Sandbox, port: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile('nsenter', ['-t', String(sb.pid), '-n', '-m', '--', process.execPath, '-e', fetchJs('127.0.0.1', port)], { timeout: 10_000 }, (e, stdout) =>
      resolve({ code: e ? 1 : 0, stdout }),
    );
  });
}

/** Run a test body with the sandbox's user made by hand (this file makes it whatever NSLAB_E2E_USER says). */
async function asUser(sb: Sandbox, fn: (run: (...args: string[]) => ReturnType<Sandbox['run']>, uid: number) => Promise<void>): Promise<void> {
  const user = sb.user ?? (await makeUser(sb.pid, (argv) => sb.run(argv)));
  const run = (...args: string[]): ReturnType<Sandbox['run']> => sb.run(user.wrap([process.execPath, BIN, ...args]), { timeoutMs: 60_000, env: user.env() });
  try {
    await fn(run, user.uid);
  } finally {
    for (const pid of userPids(user.uid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** No process of uid is left (the holder and the uplink end with the last lab). */
async function nothingRuns(uid: number): Promise<void> {
  for (let i = 0; i < 50 && userPids(uid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(userPids(uid), [], `uid ${uid} still runs processes`);
}

test('rootless nat: true reaches "the internet" upstream of the user network through slirp4netns; down leaves nothing', (t) =>
  withSandbox(t, ['libnftables'], async (sb) => {
    if (!(await sb.run(['sh', '-c', 'command -v slirp4netns'])).stdout.trim()) {
      assert.ok(!process.env['NSLAB_REQUIRE_ROOT_TESTS'], 'needs slirp4netns (apt-get install slirp4netns)');
      t.skip('needs slirp4netns (apt-get install slirp4netns)');
      return;
    }
    await internet(sb);
    farServer(sb);
    await asUser(sb, async (run, uid) => {
      const up = await run('up', join(EXAMPLES, 'nat.yaml'));
      assert.equal(up.code, 0, up.stderr);
      let got = '';
      for (let i = 0; i < 20 && got !== 'far'; i++) {
        const r = await run('exec', 'natlab', 'netns1', '--', process.execPath, '-e', fetchJs(UPSTREAM, 7000));
        got = r.stdout.trim();
        if (got !== 'far') await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(got, 'far', 'netns1 reaches 198.51.100.1:7000 through nat: and the uplink');
      const down = await run('down', 'natlab');
      assert.equal(down.code, 0, down.stderr);
      await nothingRuns(uid);
    });
  }));

test('rootless publish: opens the port on the user network and reaches the node; a port below the unprivileged start is refused', (t) =>
  withSandbox(t, ['libnftables'], async (sb) => {
    if (!(await sb.run(['sh', '-c', 'command -v slirp4netns'])).stdout.trim()) {
      assert.ok(!process.env['NSLAB_REQUIRE_ROOT_TESTS'], 'needs slirp4netns (apt-get install slirp4netns)');
      t.skip('needs slirp4netns (apt-get install slirp4netns)');
      return;
    }
    const low = labFile(
      'name: low\nnetworks:\n  n: { subnet: 10.5.0.0/24, gateway: 10.5.0.1 }\nnodes:\n  web:\n    interfaces: { eth0: { network: n } }\n    publish: ["80:80/tcp"]\n',
    );
    try {
      await asUser(sb, async (run, uid) => {
        const up = await run('up', join(EXAMPLES, 'firewall.yaml'));
        assert.equal(up.code, 0, up.stderr);
        let got = '';
        for (let i = 0; i < 30 && got !== 'hello'; i++) {
          const r = await fromUserNetwork(sb, 8080);
          got = r.stdout.trim();
          if (got !== 'hello') await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(got, 'hello', "the user's port 8080 reaches the web node");
        const refused = await run('up', low.path);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, /^nslab: lab low: publish: port 80 \(node web\) below 1024, the lowest you may open .*nothing was changed\n$/);
        const down = await run('down', 'fw');
        assert.equal(down.code, 0, down.stderr);
        // The uplink is stopped with SIGTERM: it may take a moment to close its port.
        let closed = await fromUserNetwork(sb, 8080);
        for (let i = 0; i < 30 && closed.code === 0; i++) {
          await new Promise((r) => setTimeout(r, 100));
          closed = await fromUserNetwork(sb, 8080);
        }
        assert.notEqual(closed.code, 0, 'the port is closed after down');
        await nothingRuns(uid);
      });
    } finally {
      low.done();
    }
  }));
