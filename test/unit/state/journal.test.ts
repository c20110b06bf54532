// Journal replay: ownership, drops, cascades, and torn lines after a crash.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JournalWriter, readJournal, readJournalSince, replay } from '../../../src/state/journal.js';
import { withStateDir } from '../helpers.js';

test('dropping a namespace drops everything recorded inside it', () => {
  const s = replay([
    { t: 'own', id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' } },
    {
      t: 'own',
      id: 'link:a-x:eth0',
      op: { op: 'link.create', kind: 'veth', ns: 'a-x', name: 'eth0', ipv6: false, up: true, peer: { ns: '@host', name: 'a-x-eth0' } },
    },
    { t: 'own', id: 'addr:a-x:eth0:10.0.0.1/24', op: { op: 'addr.add', ns: 'a-x', dev: 'eth0', cidr: '10.0.0.1/24' } },
    { t: 'own', id: 'link:@host:a-br', op: { op: 'link.create', kind: 'bridge', ns: '@host', name: 'a-br', ipv6: false, up: true } },
    { t: 'drop', id: 'netns:a-x' },
  ]);
  assert.deepEqual([...s.owned.keys()], ['link:@host:a-br']);
});

test('a torn last line is counted as damage and the rest is read', async () => {
  await withStateDir((dir, root) => {
    // Journals live in the state directory: only there are they read (state/root.ts).
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const path = join(dir, 'state', 'j.jsonl');
    const w = new JournalWriter(root, path);
    w.append([
      { t: 'meta', v: 1, lab: 'a', file: '/x.yaml' },
      { t: 'own', id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' } },
    ]);
    appendFileSync(path, '{"t":"own","id":"netns:a-y","op":{"op":"net');
    w.append([{ t: 'own', id: 'netns:a-z', op: { op: 'netns.create', name: 'a-z' } }]);
    w.close();
    const s = readJournal(root, path);
    assert.equal(s.damaged, 1);
    assert.deepEqual([...s.owned.keys()], ['netns:a-x', 'netns:a-z']);
    assert.equal(s.meta?.lab, 'a');
  });
});

test('many namespaces dropped in a row cascade like one at a time; a re-created one starts empty', () => {
  const veth = (ns: string) => ({
    op: 'link.create' as const,
    kind: 'veth' as const,
    ns,
    name: 'eth0',
    ipv6: false,
    up: true,
    peer: { ns: '@host', name: `${ns}-eth0` },
  });
  const s = replay([
    { t: 'own', id: 'link:@host:a-br', op: { op: 'link.create', kind: 'bridge', ns: '@host', name: 'a-br', ipv6: false, up: true } },
    { t: 'own', id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' } },
    { t: 'own', id: 'link:a-x:eth0', op: veth('a-x') },
    { t: 'own', id: 'addr:@host:a-x-eth0:10.0.0.9/24', op: { op: 'addr.add', ns: '@host', dev: 'a-x-eth0', cidr: '10.0.0.9/24' } },
    { t: 'own', id: 'netns:a-y', op: { op: 'netns.create', name: 'a-y' } },
    { t: 'own', id: 'link:a-y:eth0', op: veth('a-y') },
    { t: 'drop', id: 'netns:a-x' },
    { t: 'drop', id: 'netns:a-y' },
    { t: 'own', id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' } },
  ]);
  assert.deepEqual([...s.owned.keys()], ['link:@host:a-br', 'netns:a-x']);
});

test('converged: the key of the last full build, forgotten by any later record', () => {
  const base = [{ t: 'own' as const, id: 'netns:a-x', op: { op: 'netns.create' as const, name: 'a-x' } }];
  assert.equal(replay([...base, { t: 'converged', key: 'k1' }]).converged, 'k1');
  assert.equal(replay([...base, { t: 'converged', key: 'k1' }, { t: 'drop', id: 'netns:a-x' }]).converged, undefined);
  assert.equal(replay(base).converged, undefined);
});

test('a failed process keeps the lab partial until it is started again or the lab converges', () => {
  const proc = (pid: number) => ({ t: 'proc' as const, node: 'a', name: 'srv', pid, start: pid, spec: '{}' });
  const failed = { t: 'proc-failed' as const, node: 'a', name: 'srv', why: 'was not ready after 1 s' };
  const s = replay([proc(10), { t: 'proc-gone', pid: 10 }, failed]);
  assert.deepEqual([...s.failed], [['a.srv', 'was not ready after 1 s']]);
  assert.equal(s.procs.size, 0);
  assert.equal(replay([{ t: 'converged', key: 'k' }, proc(10), { t: 'proc-gone', pid: 10 }, failed]).converged, undefined);
  assert.equal(replay([proc(10), failed, proc(11)]).failed.size, 0);
  assert.equal(replay([failed, { t: 'converged', key: 'k' }]).failed.size, 0);
});

test('readJournalSince: reading only what was appended gives what reading the whole file gives', async () => {
  await withStateDir((dir, root) => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const path = join(dir, 'state', 'j.jsonl');
    const w = new JournalWriter(root, path);
    w.append([
      { t: 'meta', v: 2, lab: 'a', file: '/x.yaml' },
      { t: 'own', id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' } },
      { t: 'converged', key: 'k1' },
    ]);
    const first = readJournalSince(root, path);
    assert.equal(first.state.converged, 'k1');
    // Nothing appended: the same state comes back.
    assert.equal(readJournalSince(root, path, first).state, first.state);
    w.append([
      { t: 'own', id: 'netns:a-y', op: { op: 'netns.create', name: 'a-y' } },
      { t: 'drop', id: 'netns:a-x' },
    ]);
    // Half a line (a writer not done yet): left for the next read.
    appendFileSync(path, '\n{"t":"own","id":"netns:a-z","op":{"op":"netns.cr');
    const second = readJournalSince(root, path, first);
    assert.deepEqual([...second.state.owned.keys()], ['netns:a-y']);
    assert.equal(second.state.converged, undefined, 'a record after the converged one ends it');
    assert.deepEqual([...first.state.owned.keys()], ['netns:a-x'], 'the earlier state is not changed');
    appendFileSync(path, 'eate","name":"a-z"}}\n');
    const third = readJournalSince(root, path, second);
    const whole = readJournal(root, path);
    assert.deepEqual([...third.state.owned.keys()], [...whole.owned.keys()]);
    assert.deepEqual([...third.state.owned.keys()], ['netns:a-y', 'netns:a-z']);
    w.close();
  });
});

test('readJournalSince: a journal made anew is read whole, not appended to the old state', async () => {
  await withStateDir((dir, root) => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const path = join(dir, 'state', 'j.jsonl');
    let w = new JournalWriter(root, path);
    w.append([{ t: 'own', id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' } }]);
    w.close();
    const first = readJournalSince(root, path);
    rmSync(path);
    w = new JournalWriter(root, path);
    w.append([
      { t: 'own', id: 'netns:a-y', op: { op: 'netns.create', name: 'a-y' } },
      { t: 'own', id: 'netns:a-z', op: { op: 'netns.create', name: 'a-z' } },
    ]);
    w.close();
    assert.deepEqual([...readJournalSince(root, path, first).state.owned.keys()], ['netns:a-y', 'netns:a-z']);
    rmSync(path);
    assert.equal(readJournalSince(root, path, first).state.owned.size, 0, 'a missing journal is an empty one');
  });
});
