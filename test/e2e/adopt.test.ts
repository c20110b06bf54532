// Adopting a running process's network namespace (`netns_of: PID`), end to end in a sandbox: the
// node is wired and reachable, and `down` removes only nslab's own objects (its veth and the
// name), never the namespace: the process keeps it, with the same identity.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, pings, processAlive, withSandbox } from './lab.js';

test("netns_of: a process's namespace is adopted, wired, and left to it by down", (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    const started = await sb.run(['sh', '-c', 'unshare --net sleep 300 >/dev/null 2>&1 </dev/null & echo $!']);
    const pid = Number(started.stdout.trim());
    assert.ok(pid > 0 && processAlive(pid), `no background process: ${started.stdout} ${started.stderr}`);
    const { path, done } = labFile(`name: adopt
networks:
  lan: { subnet: 10.82.0.0/24 }
nodes:
  x:
    netns_of: ${pid}
    interfaces: { eth0: { network: lan, address: 10.82.0.11/24 } }
  y:
    interfaces: { eth0: { network: lan, address: 10.82.0.12/24 } }
`);
    try {
      // unshare(1) runs unshare(2) and then execs sleep: until the exec, the process may still be in
      // the sandbox's namespace, so wait (bounded) for it to become `sleep` before reading its identity.
      for (let i = 0; i < 250 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'sleep'; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'sleep', 'unshare never became sleep');
      const inode = readlinkSync(`/proc/${pid}/ns/net`);
      await nslabOk(sb, 'up', path);
      // the name is the process's namespace, not a new one
      const id = await sb.run(['ip', 'netns', 'identify', String(pid)]);
      assert.equal(id.stdout.trim(), 'adopt-x');
      assert.ok(await pings(sb, 'adopt-y', '10.82.0.11'), 'y cannot ping x');
      assert.ok(await pings(sb, 'adopt-x', '10.82.0.12'), 'x cannot ping y');
      const journal = (await sb.run(['cat', '/run/nslab/adopt/journal.jsonl'])).stdout;
      assert.match(journal, /"op":"netns.attach","name":"adopt-x","pid":\d+/);
      assert.doesNotMatch(journal, /"op":"netns.create","name":"adopt-x"/);
      // a second up changes nothing
      const again = JSON.parse(await nslabOk(sb, 'up', path, '--json')) as { changes: number };
      assert.equal(again.changes, 0);

      await nslabOk(sb, 'down', 'adopt');
      assert.ok(processAlive(pid), 'the adopted process was stopped');
      assert.equal(readlinkSync(`/proc/${pid}/ns/net`), inode);
      const links = await sb.run(['nsenter', '-t', String(pid), '-n', 'ip', '-o', 'link', 'show']);
      assert.equal(links.code, 0, links.stderr);
      assert.doesNotMatch(links.stdout, /eth0/, `the veth is still in the adopted namespace:\n${links.stdout}`);
      const names = await sb.run(['ip', 'netns', 'list']);
      assert.doesNotMatch(names.stdout, /adopt-/);

      // a PID that names no process: a clear error, nothing built
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      const gone = await nslab(sb, 'up', path);
      assert.equal(gone.code, 1, gone.stdout + gone.stderr);
      assert.match(gone.stderr, new RegExp(`netns_of: ${pid}: no such process`));
      assert.doesNotMatch((await sb.run(['ip', 'netns', 'list'])).stdout, /adopt-/);
      // a process in the host's own namespace is never adopted
      const hostProc = await sb.run(['sh', '-c', 'sleep 300 >/dev/null 2>&1 </dev/null & echo $!']);
      const hostPid = Number(hostProc.stdout.trim());
      try {
        writeFileSync(path, readFileSync(path, 'utf8').replace(`netns_of: ${pid}`, `netns_of: ${hostPid}`));
        const host = await nslab(sb, 'up', path);
        assert.equal(host.code, 1, host.stdout + host.stderr);
        assert.match(host.stderr, /host's own network namespace/);
        assert.doesNotMatch((await sb.run(['ip', 'netns', 'list'])).stdout, /adopt-/);
      } finally {
        process.kill(hostPid, 'SIGKILL');
      }
      // a PID must be a positive whole number
      writeFileSync(path, readFileSync(path, 'utf8').replace(`netns_of: ${hostPid}`, 'netns_of: -3'));
      const bad = await nslab(sb, 'validate', path);
      assert.equal(bad.code, 2, bad.stdout + bad.stderr);
      assert.match(bad.stdout + bad.stderr, /netns_of.*process ID|process ID.*netns_of/);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
      await nslab(sb, 'down', 'adopt');
      done();
    }
  }));
