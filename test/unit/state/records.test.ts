// The journal's on-disk contract (state/records.ts): one parser for down, clean and up, records
// validated (never cast), journals of the previous nslab still read, newer ones refused.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readJournal } from '../../../src/state/journal.js';
import { JOURNAL_VERSION, parseJournal } from '../../../src/state/records.js';
import { NslabError } from '../../../src/util/errors.js';
import { withStateDir } from '../helpers.js';

const meta = '{"t":"meta","v":1,"lab":"a","file":"/x"}';

test('journal health: a torn last line is tolerated, garbage elsewhere or no meta is damage', () => {
  assert.equal(parseJournal('').health, 'empty');
  assert.equal(parseJournal(`${meta}\n`).health, 'ok');
  assert.equal(parseJournal(`${meta}\n{"t":"own"`).health, 'ok');
  assert.equal(parseJournal(`garbage\n${meta}\n`).health, 'damaged');
  assert.equal(parseJournal('{"t":"drop","id":"x"}\n').health, 'damaged');
});

// A journal exactly as the previous nslab (format 1) wrote it: a lab it built must still go down.
const V1 = [
  '',
  meta,
  '',
  '{"t":"own","id":"link:@host:mtu-lan","op":{"op":"link.create","kind":"bridge","ns":"@host","name":"mtu-lan","alias":"nslab:mtu:net:lan","ipv6":false,"up":true}}',
  '{"t":"own","id":"netns:mtu-a","op":{"op":"netns.create","name":"mtu-a","group":"mtu"}}',
  '{"t":"own","id":"link:mtu-a:eth0","op":{"op":"link.create","kind":"veth","ns":"mtu-a","name":"eth0","mtu":1000,"ipv6":false,"up":true,"peer":{"ns":"@host","name":"mtu-a-eth0","mtu":1000},"index":2}}',
  '{"t":"own","id":"addr:mtu-a:eth0:10.95.0.10/24","op":{"op":"addr.add","ns":"mtu-a","dev":"eth0","cidr":"10.95.0.10/24"}}',
  '{"t":"own","id":"sysctl:@host:net.ipv4.ip_forward","op":{"op":"sysctl.set","ns":"@host","key":"net.ipv4.ip_forward","value":"1"},"prev":"0"}',
  '{"t":"own","id":"nft:mtu-a:nslab-mtu","op":{"op":"nft.load","ns":"mtu-a","table":"nslab-mtu","script":"table inet nslab-mtu {}"}}',
  '{"t":"own","id":"route:mtu-a:0.0.0.0/0","op":{"op":"route.add","ns":"mtu-a","to":"0.0.0.0/0","via":"10.95.0.1"}}',
  '{"t":"own","id":"attach:@host:mtu-a-eth0","op":{"op":"link.set","ns":"@host","name":"mtu-a-eth0","master":"mtu-lan","alias":"x","up":true,"ipv6":false}}',
  '{"t":"proc","node":"a","name":"idle","pid":40,"start":123,"spec":"{}","outer":{"pid":39,"start":120}}',
  '{"t":"proc-failed","node":"a","name":"web","why":"exited 1"}',
  '{"t":"keeper","pid":41,"start":124}',
  '{"t":"drop","id":"addr:mtu-a:eth0:10.95.0.10/24"}',
  '{"t":"converged","key":"abc"}',
  '',
].join('\n');

test('a format-1 journal as written by the previous nslab reads in full', () => {
  const p = parseJournal(V1);
  assert.equal(p.health, 'ok');
  assert.equal(p.damaged, 0);
  assert.equal(p.records.length, 14);
});

test('a record that is JSON but not a valid record is damage, not a cast', () => {
  // Before: any object with a string `t` counted; a renamed field would have been taken as an op.
  const bad = [
    '{"t":"own","id":"link:a:eth0","op":{"op":"link.create","kind":"veth","ns":"a","name":"eth0","ipv6":false,"up":true}}', // no peer
    '{"t":"own","id":"netns:a","op":{"op":"netns.make","name":"a"}}',
    '{"t":"own","id":3,"op":{"op":"netns.create","name":"a"}}',
    '{"t":"proc","node":"a","name":"p","pid":"12","start":1,"spec":"{}"}',
    '{"t":"whatever"}',
  ];
  for (const line of bad) {
    const p = parseJournal(`${meta}\n${line}\n`);
    assert.equal(p.health, 'damaged', line);
    assert.equal(p.records.length, 1, line);
  }
});

test('a journal of a newer nslab is refused by its readers with one clear line', async () => {
  await withStateDir((dir, root) => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const path = join(dir, 'state', 'j.jsonl');
    // Its records need not be ours: only the version is read.
    writeFileSync(path, `{"t":"meta","v":${JOURNAL_VERSION + 1},"lab":"a","file":"/x"}\n{"t":"own","id":"x","op":{"kind":"new"}}\n`, { mode: 0o600 });
    const newer = JOURNAL_VERSION + 1;
    assert.deepEqual(parseJournal(`{"t":"meta","v":${newer},"name":"a"}\n`), { records: [], damaged: 0, health: 'newer', version: newer });
    assert.throws(
      () => readJournal(root, path),
      (e: unknown) => {
        assert.ok(e instanceof NslabError);
        assert.equal(e.exitStatus, 1);
        assert.equal(
          e.message,
          `journal ${path} was written by a newer nslab (version ${JOURNAL_VERSION + 1}); use that version to take the lab down, or \`nslab clean\``,
        );
        return true;
      },
    );
  });
});

test('two values on one line do not shift the records of the fast path', () => {
  const p = parseJournal(`${meta}\n{"t":"drop","id":"a"},{"t":"drop","id":"b"}\n{"t":"drop","id":"c"}\n`);
  assert.equal(p.health, 'damaged');
  assert.deepEqual(
    p.records.map((r) => (r.t === 'drop' ? r.id : r.t)),
    ['meta', 'c'],
  );
});

test('a version 1 journal (written before setup steps and holders) still reads', () => {
  const v1 = `{"t":"meta","v":1,"lab":"a","file":"/x"}\n{"t":"own","id":"netns:a-x","op":{"op":"netns.create","name":"a-x"}}\n`;
  const p = parseJournal(v1);
  assert.equal(p.health, 'ok');
  assert.equal(p.damaged, 0);
  assert.equal(p.records.length, 2);
});
