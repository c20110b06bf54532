// plan/leftovers.ts: markers to labs, journal health, and which labs' objects are leftovers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labOfAlias, labOfHostsTarget, labOfNetnsTarget, labOfNftTable } from '../../../src/names/markers.js';
import { findLeftovers, type Observed } from '../../../src/plan/leftovers.js';

const G = '/run/nslab-netns';

test('markers name their lab; anything else names none', () => {
  assert.equal(labOfAlias('nslab:web:net:lan'), 'web');
  assert.equal(labOfAlias('notnslab'), undefined);
  assert.equal(labOfAlias('nslab:Bad:net:x'), undefined);
  assert.equal(labOfAlias(undefined), undefined);
  assert.equal(labOfNetnsTarget(G, 'web-a', `${G}/web/web-a`), 'web');
  assert.equal(labOfNetnsTarget(G, 'web-a', `${G}/web/other`), undefined);
  assert.equal(labOfNetnsTarget(G, 'x', '/somewhere/web/x'), undefined);
  assert.equal(labOfHostsTarget('/run/nslab', '/run/nslab/web/hosts'), 'web');
  assert.equal(labOfHostsTarget('/run/nslab', '/etc/hosts'), undefined);
  assert.equal(labOfHostsTarget('/run/nslab', '/run/nslab/web/resolv.conf'), 'web');
  assert.equal(labOfHostsTarget('/run/nslab', '/run/nslab/web/resolv-none.conf'), 'web');
  assert.equal(labOfHostsTarget('/run/nslab', '/run/nslab/web/journal.jsonl'), undefined);
  assert.equal(labOfNftTable('nslab-web'), 'web');
  assert.equal(labOfNftTable('foreign'), undefined);
});

function observed(over: Partial<Observed>): Observed {
  return { stateRoot: '/run/nslab', states: new Map(), locks: [], netnsLinks: [], groups: [], hostLinks: [], nftTables: [], hostsLinks: [], ...over };
}

test('a lab without state is a leftover; a healthy or busy lab and foreign objects are not', () => {
  const o = observed({
    states: new Map([
      ['ok', { journal: 'ok', netns: ['ok-a'], procs: [] }],
      ['bad', { journal: 'damaged', netns: [], procs: [{ node: 'a', name: 'p', pid: 5, start: 9 }] }],
    ]),
    locks: [
      { lab: 'gone', held: false },
      { lab: 'ok', held: false },
      { lab: 'busy', held: true },
    ],
    netnsLinks: [
      { name: 'ok-a', target: `${G}/ok/ok-a` },
      { name: 'ok-b', target: `${G}/ok/ok-b` },
      { name: 'gone-a', target: `${G}/gone/gone-a` },
      { name: 'busy-a', target: `${G}/busy/busy-a` },
      { name: 'x', target: '/tmp/x' },
    ],
    groups: [
      { group: 'ok', members: ['ok-a', 'ok-b'] },
      { group: 'gone', members: ['gone-a'] },
    ],
    hostLinks: [
      { name: 'gone-lan', alias: 'nslab:gone:net:lan' },
      { name: 'ok-lan', alias: 'nslab:ok:net:lan' },
      { name: 'foo' },
      { name: 'bar', alias: 'notnslab' },
    ],
    nftTables: ['nslab-gone', 'nslab-ok'],
    hostsLinks: [
      { netns: 'gone-a', target: '/run/nslab/gone/hosts' },
      { netns: 'mine', target: '/etc/myhosts' },
    ],
  });
  const found = findLeftovers(o, G);
  assert.deepEqual(
    found.map((l) => [l.lab, l.kind, l.reason]),
    [
      ['bad', 'lab', 'damaged journal'],
      ['gone', 'lab', 'no state directory'],
      ['ok', 'strays', 'namespaces its journal does not list'],
    ],
  );
  const gone = found[1]!;
  assert.deepEqual(
    [gone.netns, gone.links, gone.nftTables, gone.hosts, gone.groupDir, gone.stateDir, gone.lockFile],
    [['gone-a'], ['gone-lan'], ['nslab-gone'], ['gone-a'], true, false, true],
  );
  assert.deepEqual(
    found[0]!.processes.map((p) => p.pid),
    [5],
  );
  assert.deepEqual(found[2]!.netns, ['ok-b']);
});
