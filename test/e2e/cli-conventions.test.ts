// The CLI's conventions against real labs in a sandbox: unknown labs and nodes are bad input
// (exit 2) in every verb; a reader closing nslab's output early ends the output, not the verb
// (an `up` piped into `true` still builds the whole lab); every verb's help example runs; and
// bash completion, sourced from `nslab completion bash`, offers the labs that are up and their nodes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES as HELP_EXAMPLES } from '../../src/cli/examples.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, EXAMPLES, nslab, nslabOk, withSandbox } from './lab.js';

const REPO = join(BIN, '..', '..');
const haveTcpdump = ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'].some((p) => existsSync(p));

/** Whether `show` works here: it reads each namespace's nftables table, so it needs libnftables. */
async function showWorks(sb: Sandbox, t: { diagnostic(m: string): void }): Promise<boolean> {
  const r = await nslab(sb, 'show', 'bridge');
  if (r.code !== 0) t.diagnostic(`show's output is not checked here: \`nslab show bridge\` exits ${r.code}: ${r.stderr.split('\n')[0] ?? ''}`);
  return r.code === 0;
}

/** Run a bash script in the sandbox, from the repository, with `nslab` on PATH. */
async function bash(sb: Sandbox, script: string, timeoutMs = 60_000): ReturnType<Sandbox['run']> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-path-'));
  try {
    symlinkSync(BIN, join(dir, 'nslab'));
    return await sb.run(['bash', '-c', `cd ${JSON.stringify(REPO)} && ${script}`], {
      timeoutMs,
      env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an unknown lab or node is bad input (exit 2) in every verb, naming what is there', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    for (const args of [
      ['show', 'brige'],
      ['exec', 'brige', 'ns1', '--', 'true'],
      ['run', 'brige', 'ns1', '--', 'sleep', '1'],
      ['logs', 'brige', 'ns1'],
      ['capture', 'brige', 'ns1'],
      ['trace', 'brige', 'ns1', 'ns2'],
      ['test', 'brige'],
      ['ps', 'brige'],
    ]) {
      const r = await nslab(sb, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, "nslab: no lab named brige is up (did you mean 'bridge'? labs up: bridge)\n", args.join(' '));
    }
    for (const args of [
      ['show', 'bridge', 'ns9'],
      ['exec', 'bridge', 'ns9', '--', 'true'],
      ['run', 'bridge', 'ns9', '--', 'sleep', '1'],
      ['logs', 'bridge', 'ns9'],
      ['capture', 'bridge', 'ns9'],
      ['trace', 'bridge', 'ns9', 'ns2'],
      ['trace', 'bridge', 'ns1', 'ns9'],
    ]) {
      const r = await nslab(sb, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /has no node ns9 .*\(nodes: ns1, ns2/, args.join(' '));
    }
    // down is idempotent (a lab that is not up is nothing to do), but a typo still shows.
    const down = await nslab(sb, 'down', 'brige');
    assert.equal(down.code, 0, down.stderr);
    assert.equal(down.stdout, "lab brige: not up, nothing to do (did you mean 'bridge'? it is up)\n");
    assert.equal((await nslab(sb, 'ls')).stdout.match(/^bridge\s+up/m)?.length, 1, 'the lab is still there');
  }));

test('a closed pipe ends the output quietly; an up writing into it still builds the whole lab', (t) =>
  withSandbox(t, async (sb) => {
    // PIPESTATUS[0] is nslab's own status; `true` and `head -0` leave before nslab writes a byte.
    const up = await bash(sb, 'nslab up examples/bridge.yaml | true; echo "status=${PIPESTATUS[0]}"');
    assert.equal(up.stdout, 'status=0\n', up.stderr);
    assert.doesNotMatch(up.stderr, /EPIPE|internal error|\n\s+at /);
    const checked = await nslab(sb, 'test', 'bridge');
    assert.equal(checked.code, 0, `the lab was built completely: ${checked.stdout}${checked.stderr}`);
    const shows = (await showWorks(sb, t)) ? ['nslab show bridge | true', 'nslab show bridge --json | head -1 >/dev/null'] : [];
    for (const cmd of [
      'nslab ls | head -0',
      ...shows,
      'nslab graph examples/nat.yaml | head -1 >/dev/null',
      'nslab ps bridge | true',
      'nslab test bridge | true',
      'nslab trace bridge ns1 ns2 | head -0',
      'nslab up examples/bridge.yaml --dry-run | head -0',
    ]) {
      const r = await bash(sb, `${cmd}; echo "status=\${PIPESTATUS[0]}"`);
      assert.equal(r.stdout.trim().split('\n').at(-1), 'status=0', `${cmd}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|internal error|\n\s+at /, cmd);
    }
    const failing = await bash(sb, 'nslab show ghost | true; echo "status=${PIPESTATUS[0]}"');
    assert.equal(failing.stdout, 'status=2\n', "the verb's own status is kept");
  }));

test("every verb's help example runs as shown", (t) =>
  withSandbox(t, async (sb) => {
    // In a session's order (the examples build on one another); long-running ones are stopped by a
    // timeout, capture needs tcpdump and traffic, logs the containers lab, and which a real PID.
    const order = [
      'doctor',
      'validate',
      'graph',
      'up',
      'ls',
      'show',
      'exec',
      'test',
      'merge',
      'trace',
      'scenario',
      'link',
      'impair',
      'partition',
      'heal',
      'run',
      'logs',
      'ps',
      'which',
      'capture',
      'ui',
      'down',
      'clean',
      'completion',
    ];
    assert.deepEqual([...order].sort(), Object.keys(HELP_EXAMPLES).sort(), 'every example is run');
    let pid = '';
    let shows = true;
    for (const verb of order) {
      if (verb === 'show') shows = await showWorks(sb, t);
      for (const line of HELP_EXAMPLES[verb] ?? []) {
        const cmd = line.replace(/\s+#.*$/, '');
        let script = cmd;
        if (verb === 'which') script = cmd.replace('4242', pid);
        if (verb === 'ui') script = `timeout -s INT 3 ${cmd}; test $? -eq 124 -o $? -eq 0`;
        if (verb === 'completion') script = `${cmd} && complete -p nslab`;
        if (verb === 'show' && !shows) continue;
        if (verb === 'logs') {
          // The one example lab with declared processes runs busybox in its nodes.
          if (!existsSync('/usr/bin/busybox') && !existsSync('/bin/busybox')) {
            t.diagnostic(`not run (busybox is not installed): ${cmd}`);
            continue;
          }
          script = `nslab up examples/containers.yaml >/dev/null && ${cmd} && nslab down containers >/dev/null`;
        }
        if (verb === 'capture') {
          if (!haveTcpdump) {
            t.diagnostic(`not run (tcpdump is not installed): ${cmd}`);
            continue;
          }
          script = `(sleep 1; nslab test bridge >/dev/null) & timeout 20 ${cmd}`;
        }
        const r = await bash(sb, script);
        assert.equal(r.code, 0, `${cmd}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
        if (verb === 'run') pid = /^tick (\d+)$/m.exec(r.stdout)?.[1] ?? '';
        if (verb === 'run') assert.ok(pid, `no PID in: ${r.stdout}`);
        if (verb === 'which') assert.match(r.stdout, /bridge/, 'which finds the process started by the run example');
        if (verb === 'ui') assert.match(r.stdout + r.stderr, /http:\/\/127\.0\.0\.1:\d+\/.*token/i);
      }
    }
  }));

test("bash completion offers verbs, the labs that are up and a lab's nodes", (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    await nslabOk(sb, 'up', join(EXAMPLES, 'routed.yaml'));
    const complete = async (...words: string[]): Promise<string[]> => {
      const r = await bash(
        sb,
        `source <(nslab completion bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _nslab; printf '%s\\n' "\${COMPREPLY[@]}"`,
      );
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(await complete('nslab', 'sh'), ['show']);
    assert.deepEqual(await complete('nslab', 'show', ''), ['bridge', 'routed']);
    assert.deepEqual(await complete('nslab', 'exec', 'r'), ['routed']);
    assert.deepEqual(await complete('nslab', 'exec', 'routed', ''), ['h1', 'h2', 'h3', 'r1', 'r2']);
    assert.deepEqual(await complete('nslab', 'trace', 'bridge', 'ns1', 'n'), ['ns1', 'ns2']);
    assert.deepEqual(await complete('nslab', 'capture', 'bridge', 'b'), ['br0']);
    assert.deepEqual(await complete('nslab', 'show', 'ghost', ''), [], 'an unknown lab offers nothing, quietly');
  }));
