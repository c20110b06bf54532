// The CLI's conventions, run as a process (no root, no kernel): --version, unknown verbs with a
// suggestion (also after help), the exit status table in --help, an example in every verb's help,
// output to a closed pipe ending quietly, and the names completion asks for.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { program } from '../../../src/cli/main.js';
import { ensureLabDir, labPaths, saveTopologyCopy } from '../../../src/state/store.js';
import { EXIT_STATUSES } from '../../../src/util/errors.js';
import { withStateDir } from '../helpers.js';

const MAIN = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const REPO = join(import.meta.dirname, '..', '..', '..', '..');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI; `closedStdout` closes the read end of its stdout at once, as `| head -0` does. */
function cli(args: string[], o: { closedStdout?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(${JSON.stringify(args)}))`], {
    cwd: REPO,
    env: { ...process.env, ...o.env },
  });
  let stdout = '';
  let stderr = '';
  if (o.closedStdout) child.stdout.destroy();
  else child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const VERBS = program()
  .commands.map((c) => c.name())
  .filter((n) => !n.startsWith('__'));

test('--version and -V print the package version', async () => {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) assert.deepEqual(await cli([flag]), { code: 0, stdout: `${version}\n`, stderr: '' });
});

test('an unknown verb is refused with the closest one, also after help, exit 2', async () => {
  for (const args of [['upp'], ['help', 'upp'], ['upp', 'examples/bridge.yaml']]) {
    assert.deepEqual(await cli(args), { code: 2, stdout: '', stderr: "nslab: unknown command 'upp' (did you mean 'up'?)\n" }, args.join(' '));
  }
  const far = await cli(['frobnicate']);
  assert.equal(far.code, 2);
  assert.equal(far.stderr, "nslab: unknown command 'frobnicate' (run `nslab --help` for the commands)\n");
  const flag = await cli(['up', '--jsn', 'x.yaml']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /^nslab: unknown option '--jsn' \(did you mean '--json'\?\)\n/);
  assert.equal((await cli(['help', 'up'])).code, 0, 'help of a real verb still works');
});

test("--help ends with the exit status table; every verb's help ends with an example of it", async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  for (const [status, meaning] of EXIT_STATUSES)
    assert.ok(help.stdout.includes(`  ${String(status).padEnd(4)}${meaning}\n`), `status ${status} missing:\n${help.stdout}`);
  assert.match(help.stdout, /FORCE_COLOR/);
  for (const verb of VERBS) {
    const r = await cli([verb, '--help']);
    assert.equal(r.code, 0, verb);
    const m = /\nExamples?:\n((?: {2}.*\n)+)$/.exec(r.stdout);
    assert.ok(m, `${verb} --help ends without an example:\n${r.stdout}`);
    const first = m[1]!.trim().split('\n')[0]!;
    assert.ok(first.includes(`nslab ${verb}`), `${verb}'s example does not run it: ${first}`);
  }
});

test("output to a closed pipe ends quietly with the verb's own status, no stack trace", async () => {
  await withStateDir(async (_dir, root) => {
    for (const args of [
      ['--help'],
      ['ls'],
      ['completion', 'bash'],
      ['graph', 'examples/nat.yaml', '--format', 'mermaid'],
      ['validate', 'examples/bridge.yaml'],
      ['upp'],
    ]) {
      const r = await cli(args, { closedStdout: true, env: { NSLAB_STATE_DIR: root.path } });
      assert.equal(r.code, args[0] === 'upp' ? 2 : 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /EPIPE|internal error|\n\s+at /, args.join(' '));
    }
  });
});

test("__complete prints labs and a lab's nodes or targets one per line, and nothing on any problem", async () => {
  await withStateDir(async (_dir, root) => {
    const env = { NSLAB_STATE_DIR: root.path };
    assert.deepEqual(await cli(['__complete', 'labs'], { env }), { code: 0, stdout: '', stderr: '' });
    ensureLabDir(root, 'bridge');
    writeFileSync(labPaths(root, 'bridge').journal, '');
    saveTopologyCopy(root, 'bridge', readFileSync(join(REPO, 'examples', 'bridge.yaml'), 'utf8'));
    assert.deepEqual(await cli(['__complete', 'labs'], { env }), { code: 0, stdout: 'bridge\n', stderr: '' });
    assert.deepEqual(await cli(['__complete', 'nodes', 'bridge'], { env }), { code: 0, stdout: 'ns1\nns2\n', stderr: '' });
    assert.deepEqual(await cli(['__complete', 'targets', 'bridge'], { env }), { code: 0, stdout: 'ns1\nns2\nbr0\n', stderr: '' });
    for (const args of [['nodes', 'ghost'], ['nodes', '../etc'], ['nodes'], ['bogus'], []]) {
      assert.deepEqual(await cli(['__complete', ...args], { env }), { code: 0, stdout: '', stderr: '' }, args.join(' '));
    }
    writeFileSync(labPaths(root, 'bridge').topology, 'name: bridge\nnodes: [broken');
    assert.deepEqual(await cli(['__complete', 'nodes', 'bridge'], { env }), { code: 0, stdout: '', stderr: '' }, 'a broken copy');
  });
});
