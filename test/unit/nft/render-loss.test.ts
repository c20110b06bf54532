// Random loss as nft rules (no sch_netem): the exact text loaded, beside a firewall or alone.
import assert from 'node:assert/strict';
import { nftLoss } from '../../../src/lab/show-shaping.js';
import { test } from 'node:test';
import { lossChains, lossMatch } from '../../../src/nft/render-loss.js';
import { renderNodeTable } from '../../../src/nft/render.js';

test('loss is numgen random mod 10000 below the percentage in hundredths', () => {
  assert.equal(lossMatch(20), 'numgen random mod 10000 < 2000 drop');
  assert.equal(lossMatch(0.25), 'numgen random mod 10000 < 25 drop');
  // nft refuses `< 10000` (the value is at most 9999): 100% is written as `<= 9999`.
  assert.equal(lossMatch(100), 'numgen random mod 10000 <= 9999 drop');
});

test('egress loss is one postrouting chain by oifname; ingress loss one ingress chain per device', () => {
  assert.deepEqual(
    lossChains('d', [
      { dev: 'eth0', dir: 'out', pct: 5 },
      { dev: 'eth0', dir: 'in', pct: 1.5 },
    ]),
    [
      '\tchain loss-out {',
      '\t\ttype filter hook postrouting priority filter; policy accept;',
      '\t\toifname "eth0" numgen random mod 10000 < 500 drop comment "nslab:d:loss:eth0:out"',
      '\t}',
      '\tchain loss-in-eth0 {',
      '\t\ttype filter hook ingress device "eth0" priority filter; policy accept;',
      '\t\tnumgen random mod 10000 < 150 drop comment "nslab:d:loss:eth0:in"',
      '\t}',
    ],
  );
});

test('loss chains go into the node table beside its firewall and masquerade chains', () => {
  const fw = { input: { policy: 'drop' as const, established: true, rules: [], span: { line: 1, col: 1 } } };
  const script = renderNodeTable({ lab: 'd', fw, masquerade: [], extra: lossChains('d', [{ dev: 'eth0', dir: 'out', pct: 1 }]) });
  assert.match(script, /^flush table inet nslab-d$/m);
  assert.match(script, /chain input \{/);
  assert.match(
    script,
    /chain loss-out \{\n\t\ttype filter hook postrouting priority filter; policy accept;\n\t\toifname "eth0" numgen random mod 10000 < 100 drop/,
  );
});

test('show reads the loss in force back from the listing, 100% included', () => {
  const listing = [
    '\t\toifname "eth0" numgen random mod 10000 < 2000 drop comment "nslab:d:loss:eth0:out"',
    '\t\tnumgen random mod 10000 <= 9999 drop comment "nslab:d:loss:eth1:in"',
  ].join('\n');
  assert.deepEqual(
    [...nftLoss(listing)],
    [
      ['eth0:out', 20],
      ['eth1:in', 100],
    ],
  );
});
