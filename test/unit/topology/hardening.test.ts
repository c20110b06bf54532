// Problems the fuzz test found or the hostile-input audit (issue #7) asked for: messages never
// echo raw control characters (not even in suggestions or parser excerpts), a second document is
// named as such, and a network cannot have more interfaces than a Linux bridge has ports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';
import { MAX_BRIDGE_PORTS } from '../../../src/topology/validate-networks.js';

function messages(text: string): string[] {
  const r = loadTopology(text, 'f.yaml');
  return r.issues.map(formatIssue);
}

test('a did-you-mean suggestion taken from an invalid declared name is escaped (found by the fuzz test)', () => {
  const text = 'name: x\nnetworks:\n  "b\\rr1": { subnet: 10.0.0.0/24 }\nnodes:\n  a: { interfaces: { e: { network: br1 } } }\n';
  const out = messages(text);
  const hint = out.find((m) => m.includes('did you mean'));
  assert.ok(hint, out.join('\n'));
  assert.match(hint, /did you mean 'b\\u000dr1'\?/);
  assert.ok(
    out.every((m) => !/[\u0000-\u001f]/.test(m)),
    out.join('\n'),
  );
});

test('a second YAML document is reported at its start, in words a user knows', () => {
  const out = messages('name: x\nnodes: { a: {} }\n---\nname: y\n');
  assert.equal(out[0], 'f.yaml:3:1: a second YAML document starts here (after a --- or ... line); a topology file holds exactly one document');
  assert.ok(
    out.every((m) => !m.includes('parseAllDocuments')),
    out.join('\n'),
  );
});

test('parser messages that quote the source escape format characters and stay short', () => {
  const out = messages(`name: x\nnodes: { a: [ b ] \u202e${'c'.repeat(500)} }\n`);
  assert.ok(out.length > 0);
  for (const m of out) {
    assert.doesNotMatch(m, /[\u202e\u0000-\u001f]/, m);
    assert.ok(m.length < 400, m);
  }
});

function star(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  h${i}: { interfaces: { eth0: { network: lan } } }`);
  return `name: big\nnetworks:\n  lan: { subnet: 10.0.0.0/16 }\nnodes:\n${nodes.join('\n')}\n`;
}

test(`a network with ${MAX_BRIDGE_PORTS} interfaces loads; one more is refused at the network, with the excess`, () => {
  assert.ok(loadTopology(star(MAX_BRIDGE_PORTS), 'f.yaml').topology);
  const r = loadTopology(star(MAX_BRIDGE_PORTS + 2), 'f.yaml');
  assert.equal(r.topology, undefined);
  assert.deepEqual(r.issues.map(formatIssue), [
    `f.yaml:3:3: network 'lan' has 1025 interfaces, 2 more than the 1023 ports a Linux bridge takes; split it into networks joined by a node with forwarding: true`,
  ]);
});

const PROC = (p: string): string => `name: x\nnodes:\n  a:\n    processes: [ ${p} ]\n`;

const PROCESS_ROWS: ReadonlyArray<[string, string, string]> = [
  [
    'an empty command list',
    '{ name: p, command: [] }',
    "f.yaml:4:38: node 'a': processes #1 command must be a command line or a non-empty list of its words (got an empty list)",
  ],
  ['an empty command word', '{ name: p, command: [""] }', "f.yaml:4:18: node 'a': process #1 has an empty command"],
  [
    'a NUL in an argument',
    '{ name: p, command: [echo, "a\\0b"] }',
    "f.yaml:4:45: node 'a': invalid processes #1 command #2 'a\\u0000b': it contains a NUL character, which a command line, an environment or a path cannot carry",
  ],
  [
    'a NUL in cwd',
    '{ name: p, command: [pwd], cwd: "/tmp\\0x" }',
    "f.yaml:4:50: node 'a': invalid processes #1 cwd '/tmp\\u0000x': it contains a NUL character, which a command line, an environment or a path cannot carry",
  ],
  [
    'an env name with =',
    '{ name: p, command: [env], env: { "A=B": x } }',
    "f.yaml:4:52: node 'a': invalid processes #1 env key 'A=B': variable names are not empty and have no =",
  ],
  [
    'an env value that is a mapping',
    '{ name: p, command: [env], env: { A: { b: 1 } } }',
    "f.yaml:4:55: node 'a': processes #1 env A must be text, a number or true/false (got a mapping)",
  ],
];

for (const [name, p, want] of PROCESS_ROWS) {
  test(`a process with ${name} is refused at the value, in our words (never zod's defaults, never at spawn time)`, () => {
    assert.deepEqual(
      messages(PROC(p)).filter((m) => !m.includes('warning:')),
      [want],
    );
  });
}

test('a YAML merge key is named as such, not as an unknown key', () => {
  const out = messages('name: x\nnodes:\n  a: &b { interfaces: { e: { host: true } } }\n  c:\n    <<: *b\n');
  assert.deepEqual(out, ["f.yaml:5:5: YAML merge keys ('<<') are not supported in node 'c': write the keys out, or use an alias (*name) for the whole value"]);
});
