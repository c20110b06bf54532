// `isolate`, `hostname` and `processes`: accepted forms and what they resolve to, and the errors
// for duplicate names, unknown kinds and bad ready checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

const lab = (body: string): string => `name: t
networks:
  lan: { subnet: 10.0.0.0/24 }
nodes:
  a:
    interfaces: { eth0: { network: lan } }
${body}`;

const load = (body: string): ReturnType<typeof loadTopology> => loadTopology(lab(body), 'p.yaml');

test('processes: argv lists, string commands split at spaces, names, env, ready, timeout', () => {
  const r = load(`    isolate: [pid, mount, uts, pid]
    processes:
      - { name: web, command: [sh, -c, "echo hi; sleep 1"], env: { A: 1, B: x }, cwd: /tmp, user: nobody, ready: { tcp: 8080 }, ready_timeout: 3 }
      - { command: "/bin/sleep 300" }
      - { name: chk, command: ["true"], ready: { command: [test, -e, /tmp] } }
`);
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  assert.deepEqual(r.issues, []);
  const a = r.topology.nodes.get('a')!;
  assert.deepEqual([...a.isolate], ['pid', 'mount', 'uts']);
  assert.equal(a.hostname, 'a');
  const ps = a.processes.map(({ span: _, ...p }) => p);
  assert.deepEqual(ps, [
    {
      name: 'web',
      command: ['sh', '-c', 'echo hi; sleep 1'],
      env: { A: '1', B: 'x' },
      cwd: '/tmp',
      user: 'nobody',
      ready: { tcp: 8080 },
      readyTimeoutMs: 3000,
    },
    { name: 'sleep', command: ['/bin/sleep', '300'] },
    { name: 'chk', command: ['true'], ready: { command: ['test', '-e', '/tmp'] } },
  ]);
});

test('hostname: explicit, and absent without uts isolation', () => {
  assert.equal(load('    isolate: [uts]\n    hostname: box1\n').topology?.nodes.get('a')?.hostname, 'box1');
  const plain = load('    processes: [ { command: [sleep, "1"] } ]\n').topology?.nodes.get('a');
  assert.equal(plain?.hostname, undefined);
  assert.equal(plain?.isolate.size, 0);
});

const BAD: ReadonlyArray<[string, string, RegExp]> = [
  ['duplicate names', '    processes: [ { command: [sleep, "1"] }, { command: [sleep, "2"] } ]\n', /two processes are named 'sleep'/],
  ['unknown isolate kind', '    isolate: [net]\n', /'pid', 'mount' or 'uts'/],
  ['bad ready', '    processes: [ { command: [x], ready: { udp: 5 } } ]\n', /tcp: PORT/],
  ['bad name', '    processes: [ { name: "A b", command: [x] } ]\n', /process names/],
  ['unknown key', '    processes: [ { command: [x], shell: true } ]\n', /shell/],
];

for (const [what, body, re] of BAD) {
  test(`processes: ${what} is an error`, () => {
    const r = load(body);
    const text = r.issues.map(formatIssue).join('\n');
    assert.equal(r.topology, undefined, text);
    assert.match(text, re);
  });
}
