// The README's promises, checked as a newcomer would run them: the headline topology
// (examples/demo.yaml) passes `test --all` on every pair, and the first set-up command's lab
// (examples/bridge.yaml) is proven by `nslab test` alone (no ping) and leaves nothing after down.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hideTools } from '../helpers/tools.js';
import { EXAMPLES, hostState, nslab, nslabOk, withSandbox } from './lab.js';

const README = join(EXAMPLES, '..', 'README.md');

test('the headline topology (examples/demo.yaml) reaches every pair under test --all', (t) =>
  withSandbox(t, async (sb) => {
    const before = await hostState(sb);
    await nslabOk(sb, 'up', join(EXAMPLES, 'demo.yaml'));
    try {
      const all = await nslab(sb, 'test', 'demo', '--all');
      assert.equal(all.code, 0, `test --all failed:\n${all.stdout}${all.stderr}`);
      assert.match(all.stdout, /12\/12 hold, 0 do not/);
      const own = await nslab(sb, 'test', 'demo');
      assert.equal(own.code, 0, `test (expect:) failed:\n${own.stdout}${own.stderr}`);
    } finally {
      await nslabOk(sb, 'down', 'demo');
    }
    assert.deepEqual(await hostState(sb), before);
  }));

test('the README shows examples/demo.yaml as its headline topology, word for word', () => {
  const readme = readFileSync(README, 'utf8');
  const demo = readFileSync(join(EXAMPLES, 'demo.yaml'), 'utf8');
  // The README quotes the file from its `name:` line on (the header comments are the file's own).
  const body = demo.slice(demo.indexOf('name: demo'));
  assert.ok(readme.includes(body.trimEnd()), 'README.md must quote examples/demo.yaml (from name: on) exactly');
});

test("on a machine with only Node and iproute2, the first set-up command's lab and the headline lab build, pass and go", (t) =>
  withSandbox(t, async (sb) => {
    // A fresh Debian 12 with Node: none of these (hidden inside the sandbox where installed).
    await hideTools((argv) => sb.run(argv), ['ping', 'nft', 'libnftables', 'tcpdump', 'busybox', 'socat', 'chromium', 'python3']);
    assert.notEqual((await sb.run(['ping', '-c1', '127.0.0.1'])).code, 0, 'ping is hidden');
    const before = await hostState(sb);
    for (const [file, lab, args] of [
      ['bridge.yaml', 'bridge', []],
      ['demo.yaml', 'demo', ['--all']],
    ] as const) {
      await nslabOk(sb, 'up', join(EXAMPLES, file));
      try {
        const r = await nslab(sb, 'test', lab, ...args);
        assert.equal(r.code, 0, `nslab test ${lab} ${args.join(' ')} with no tools but Node and iproute2:\n${r.stdout}${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error/);
      } finally {
        await nslabOk(sb, 'down', lab);
      }
    }
    assert.deepEqual(await hostState(sb), before);
    // What needs more says so in one line.
    const nat = await nslab(sb, 'up', join(EXAMPLES, 'nat.yaml'));
    assert.equal(nat.code, 1);
    assert.match(
      nat.stderr,
      /^nslab: lab natlab: NAT \(network br0\) needs libnftables \(Debian\/Ubuntu: apt-get install libnftables1\); nothing was changed\n$/,
    );
  }));

test('every link in README.md and docs/ points inside the repository, at a file that exists', () => {
  const repo = join(EXAMPLES, '..');
  for (const doc of ['README.md', 'docs/topology.md', 'docs/architecture.md']) {
    const text = readFileSync(join(repo, doc), 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)].map((m) => m[1] as string).filter((l) => !/^[a-z]+:/.test(l));
    assert.ok(doc !== 'README.md' || links.length > 0, 'README.md links to its docs');
    for (const l of links) {
      const target = join(repo, doc.includes('/') ? 'docs' : '.', l);
      assert.ok(target.startsWith(repo + '/') || target === repo, `${doc} links outside the repository: ${l}`);
      assert.ok(existsSync(target), `${doc} links to ${l}, which does not exist`);
    }
    assert.doesNotMatch(text, /\.\.\/shared/, `${doc} names ../shared, which a clone or the npm package does not have`);
  }
});
