// Top-level `x-` keys (like docker compose's): ignored by the parser, so a file can keep YAML
// anchors there and alias them where they are used. Other unknown keys and merge keys (`<<`)
// stay errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

const load = (text: string): ReturnType<typeof loadTopology> => loadTopology(text, 'f.yaml');
const lines = (text: string): string[] => load(text).issues.map(formatIssue);

const WITH_ANCHORS = `x-lan: &lan { network: lan, mtu: 1400 }
x-default-route:
  routes: &via-gw [ { to: default, via: 10.0.0.1 } ]
x-notes: [ anything, { goes: here }, 42 ]
name: t
networks: { lan: { subnet: 10.0.0.0/24, gateway: 10.0.0.1 } }
nodes:
  a: { interfaces: { eth0: *lan }, routes: *via-gw }
  b: { interfaces: { eth0: *lan } }
`;

const WRITTEN_OUT = `name: t
networks: { lan: { subnet: 10.0.0.0/24, gateway: 10.0.0.1 } }
nodes:
  a: { interfaces: { eth0: { network: lan, mtu: 1400 } }, routes: [ { to: default, via: 10.0.0.1 } ] }
  b: { interfaces: { eth0: { network: lan, mtu: 1400 } } }
`;

test('x- keys are ignored and their anchors can be aliased: the same lab as the file written out', () => {
  const a = load(WITH_ANCHORS);
  const b = load(WRITTEN_OUT);
  assert.ok(a.topology, a.issues.map(formatIssue).join('\n'));
  assert.ok(b.topology);
  assert.deepEqual(a.issues, []);
  // Spans differ (aliased values point at their anchors); the lab built does not.
  const strip = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'span' || k === 'keySpan' || k === 'spans' ? undefined : x instanceof Map ? [...x] : x)));
  assert.deepEqual(strip({ ...a.topology, file: '' }), strip({ ...b.topology, file: '' }));
});

test('what is under an x- key is not checked', () => {
  assert.deepEqual(lines('x-broken: { subnet: nonsense, name: 12 }\nname: t\nnodes: {}\n'), []);
});

for (const key of ['X-common', 'x_common', 'xcommon', 'ext-common', 'common']) {
  test(`other unknown top-level keys stay errors: ${key}`, () => {
    const got = lines(`${key}: 1\nname: t\nnodes: {}\n`);
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, new RegExp(`^f\\.yaml:1:1: unknown key '${key}' at the top level`));
  });
}

test('x- keys apply at the top level only: inside a node one is an unknown key', () => {
  const got = lines('name: t\nnodes:\n  a: { x-note: hi }\n');
  assert.ok(
    got.some((l) => l.includes("unknown key 'x-note' in node 'a'")),
    got.join('\n'),
  );
});

test('a merge key (<<) with an anchor from an x- key is still refused, with the merge-key message', () => {
  const text =
    'x-lan: &lan { network: lan }\nname: t\nnetworks: { lan: { subnet: 10.0.0.0/24 } }\nnodes:\n  a: { interfaces: { eth0: { <<: *lan, mtu: 1400 } } }\n';
  const got = lines(text);
  assert.equal(load(text).topology, undefined);
  assert.deepEqual(got, [
    "f.yaml:5:30: YAML merge keys ('<<') are not supported in interface 'a:eth0': write the keys out, or use an alias (*name) for the whole value",
  ]);
});

test('an alias bomb under an x- key is still refused', () => {
  const laughs = ['x-a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++)
    laughs.push(
      `x-${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  const got = lines(`${laughs.join('\n')}\nname: t\nnodes: {}\n`);
  assert.ok(
    got.some((l) => /alias bomb/.test(l)),
    got.join('\n'),
  );
});
