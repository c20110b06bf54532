// Ownership markers: what plan/ mints is what clean and down read back, the format of labs built
// before state-root tags still reads, and nothing that is not a marker of ours passes for one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ifaceAlias,
  labOfAlias,
  labOfGroup,
  labOfNftTable,
  markerHead,
  marksLab,
  netnsGroup,
  networkAlias,
  nftTableName,
  ownerTag,
  parseGroup,
  parseMarker,
  ruleMark,
} from '../../../src/names/markers.js';

const TAG = ownerTag('/tmp/other')!;

test('the default root has no tag; any other root a 7-character one of its own', () => {
  assert.equal(ownerTag('/run/nslab'), undefined);
  assert.equal(ownerTag('/run/nslab/'), undefined);
  assert.match(TAG, /^[0-9a-z]{7}$/);
  assert.equal(ownerTag('/tmp/other/'), TAG);
  assert.notEqual(ownerTag('/tmp/other2'), TAG);
});

test('the marker formats, untagged and tagged', () => {
  assert.equal(markerHead('demo'), 'nslab:demo');
  assert.equal(markerHead('demo', TAG), `nslab@${TAG}:demo`);
  assert.equal(networkAlias('demo', 'lan'), 'nslab:demo:net:lan');
  assert.equal(ifaceAlias('demo', 'web', 'eth0'), 'nslab:demo:node:web:eth0');
  assert.equal(networkAlias('demo', 'lan', TAG), `nslab@${TAG}:demo:net:lan`);
  assert.equal(ruleMark('demo', 'input#2'), 'nslab:demo:input#2');
  assert.equal(nftTableName('demo'), 'nslab-demo');
  // A tagged alias of the longest lab, node and interface names stays far below IFALIASZ (256).
  assert.ok(ifaceAlias('abcdefghij', 'n'.repeat(32), 'i'.repeat(15), TAG).length < 128);
});

test('every minted marker parses back to its lab and tag', () => {
  for (const owner of [undefined, TAG]) {
    for (const lab of ['a', 'demo', 'abcdefghij', 'x-1']) {
      const want = owner === undefined ? { lab } : { lab, owner };
      for (const m of [markerHead(lab, owner), networkAlias(lab, 'lan', owner), ifaceAlias(lab, 'web', 'eth0', owner)]) {
        assert.deepEqual(parseMarker(m), want, m);
      }
      assert.equal(labOfAlias(networkAlias(lab, 'lan', owner), owner), lab);
      assert.ok(marksLab(ifaceAlias(lab, 'w', 'e', owner), lab));
      assert.deepEqual(parseGroup(netnsGroup(lab, owner)), want);
      assert.equal(labOfGroup(netnsGroup(lab, owner), owner), lab);
      assert.equal(labOfNftTable(nftTableName(lab)), lab);
    }
  }
});

test("markers written before state-root tags read as the default root's", () => {
  assert.deepEqual(parseMarker('nslab:demo:net:lan'), { lab: 'demo' });
  assert.deepEqual(parseMarker('nslab:demo'), { lab: 'demo' }, 'an nft table comment');
  assert.equal(labOfAlias('nslab:demo:node:web:eth0'), 'demo');
  assert.deepEqual(parseGroup('demo'), { lab: 'demo' });
});

test("a marker of another root is not this root's, in either direction", () => {
  assert.equal(labOfAlias(networkAlias('demo', 'lan', TAG)), undefined);
  assert.equal(labOfAlias(networkAlias('demo', 'lan'), TAG), undefined);
  assert.equal(labOfGroup(netnsGroup('demo', TAG)), undefined);
  assert.equal(labOfGroup('demo', TAG), undefined);
  // down deletes a link marked by its lab under any root: the journal already says it is ours.
  assert.ok(marksLab(networkAlias('demo', 'lan', TAG), 'demo'));
  assert.ok(!marksLab(networkAlias('demo2', 'lan'), 'demo'));
});

test('what is not a marker is refused', () => {
  for (const text of [
    undefined,
    '',
    'nslab',
    'nslab:',
    'nslabx:demo:net:lan',
    'nslab@short:demo:net:lan',
    `nslab@${TAG}x:demo`,
    'nslab:Demo:net:lan',
    'nslab:1demo',
    'nslab:abcdefghijk:net:x',
    'nslab:demo_x',
    'xnslab:demo',
    ' nslab:demo',
  ]) {
    assert.equal(parseMarker(text), undefined, String(text));
  }
  assert.equal(labOfAlias('nslab:demo'), undefined, 'a table comment is not a link marker');
  for (const group of ['', 'Demo', 'demo@', `demo@${TAG}@${TAG}`, 'demo@abc', 'abcdefghijk', 'a/b']) assert.equal(parseGroup(group), undefined, group);
  for (const table of ['nslab-', 'nslab-Demo', 'nslab-abcdefghijk', 'other', 'nslab_demo']) assert.equal(labOfNftTable(table), undefined, table);
  assert.throws(() => nftTableName('a b'), /not a valid table suffix/);
});
