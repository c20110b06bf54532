// `files:`, `exec:`, `expect: within:` and interface `masquerade:`: accepted forms, what they
// resolve to (defaults, hashes, step identities, mount isolation), and each bad input as a
// located error, with the host seen only through an in-memory host view.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { HostView } from '../../../src/model/files.js';
import { loadTopology } from '../../../src/model/load.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { parseDuration } from '../../../src/topology/duration.js';

const lab = (body: string, expect = ''): string => `name: t
nodes:
  r1:
    forwarding: true
    interfaces:
      eth0: { peer: "h1:eth0", address: 198.51.100.1/24 }
      eth1: { host: true, address: 203.0.113.1/24, masquerade: true }
  h1:
    interfaces:
      eth0: { peer: "r1:eth0", address: 198.51.100.2/24 }
${body}${expect}`;

/** A host with /lab/frr.conf, /lab/sub/daemons, the directory /srv/data and a FIFO. */
const HOST: HostView = {
  dir: '/lab',
  stat: (p) => ({ '/lab/frr.conf': 'file', '/lab/sub/daemons': 'file', '/srv/data': 'dir', '/lab': 'dir', '/lab/fifo': 'other' })[p] as never,
  read: (p) => new TextEncoder().encode(`bytes of ${p}`),
};

const load = (body: string, expect = ''): ReturnType<typeof loadTopology> => loadTopology(lab(body, expect), 'f.yaml', undefined, HOST);
const errors = (body: string, expect = ''): string[] => load(body, expect).issues.map(formatIssue);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

test('files: content, source, dir and bind resolve with defaults, hashes and a mount namespace', () => {
  const r = load(`    files:
      - { path: /etc/frr/frr.conf, source: ./frr.conf, mode: "0640", owner: "frr:frr" }
      - { path: /etc/frr//daemons/, source: sub/../sub/daemons }
      - { path: /etc/motd, content: "hi\\n", mode: 600, owner: 0 }
      - { path: /var/run/frr, dir: true }
      - { path: /srv, bind: /srv/data/, writable: true }
`);
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  const h1 = r.topology.nodes.get('h1')!;
  assert.deepEqual(
    h1.files.map(({ span: _, ...f }) => f),
    [
      {
        kind: 'file',
        path: '/etc/frr/frr.conf',
        mode: 0o640,
        owner: 'frr:frr',
        from: 'frr.conf',
        source: '/lab/frr.conf',
        hash: sha('bytes of /lab/frr.conf'),
      },
      { kind: 'file', path: '/etc/frr/daemons', mode: 0o644, from: 'sub/daemons', source: '/lab/sub/daemons', hash: sha('bytes of /lab/sub/daemons') },
      { kind: 'file', path: '/etc/motd', mode: 0o600, owner: '0', content: 'hi\n', hash: sha('hi\n') },
      { kind: 'dir', path: '/var/run/frr', mode: 0o755 },
      { kind: 'bind', path: '/srv', source: '/srv/data', writable: true },
    ],
  );
  assert.deepEqual([...h1.isolate], ['mount'], 'files need their own mount namespace');
  assert.equal(h1.holder, true);
  const r1 = r.topology.nodes.get('r1')!;
  assert.deepEqual([...r1.isolate], []);
  assert.equal(r1.holder, false);
  assert.deepEqual(r1.files, []);
});

test('isolate: without processes still asks for a holder; a saved copy (no host view) keeps sources unread', () => {
  const r = loadTopology(lab('    isolate: [uts]\n    files: [ { path: /a, source: a.txt } ]\n'), 'f.yaml');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  const h1 = r.topology.nodes.get('h1')!;
  assert.deepEqual([...h1.isolate].sort(), ['mount', 'uts']);
  assert.equal(h1.holder, true);
  assert.deepEqual(
    h1.files.map(({ span: _, ...f }) => f),
    [{ kind: 'file', path: '/a', mode: 0o644, from: 'a.txt' }],
  );
});

test('exec: strings split at spaces, mappings with after/user/env/timeout, stable ids per content', () => {
  const r = load(`    exec:
      - "sysctl -w  net.ipv4.tcp_syncookies=1"
      - { command: [vtysh, -b], after: processes, user: frr, env: { B: 2, A: x }, timeout: 30s }
      - { command: "true", timeout: 500ms }
      - "true"
`);
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  const steps = r.topology.nodes.get('h1')!.exec;
  assert.deepEqual(
    steps.map(({ span: _, id: __, ...s }) => s),
    [
      { command: ['sysctl', '-w', 'net.ipv4.tcp_syncookies=1'], when: 'before-processes', timeoutMs: 60_000 },
      { command: ['vtysh', '-b'], when: 'after-processes', user: 'frr', env: { A: 'x', B: '2' }, timeoutMs: 30_000 },
      { command: ['true'], when: 'before-processes', timeoutMs: 500 },
      { command: ['true'], when: 'before-processes', timeoutMs: 60_000 },
    ],
  );
  const ids = steps.map((s) => s.id);
  assert.equal(new Set(ids).size, 4, 'ids are unique in a node');
  assert.equal(ids[3], `${ids[2]}-2`, 'an equal step (the timeout is not part of it) gets -2');
  const again = load('    exec: [ "true", { command: [vtysh, -b], after: processes, user: frr, env: { A: x, B: 2 } } ]\n');
  assert.deepEqual(
    again.topology!.nodes.get('h1')!.exec.map((s) => s.id),
    [ids[2], ids[1]],
    'the id depends on what the step does, not where it is',
  );
  assert.equal(r.topology.nodes.get('h1')!.holder, false, 'exec alone needs no mount namespace');
});

test('durations: 500ms, 30s, 2m, 1h and plain seconds; expect within: resolves to milliseconds', () => {
  assert.deepEqual(['500ms', '30s', '2m', '1h', '1.5', '2 m'].map(parseDuration), [500, 30_000, 120_000, 3_600_000, 1500, 120_000]);
  assert.deepEqual(['', 's', '30x', '-1s', '1d'].map(parseDuration), [undefined, undefined, undefined, undefined, undefined]);
  const r = load('', 'expect:\n  - { from: h1, to: r1, within: 60s }\n  - { from: h1, to: r1, within: 5 }\n  - { from: h1, to: r1 }\n');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  assert.deepEqual(
    r.topology.expect.map((e) => e.withinMs),
    [60_000, 5_000, undefined],
  );
});

test('masquerade: true on a forwarding node resolves onto the interface', () => {
  const r = load('');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  assert.equal(r.topology.nodes.get('r1')!.interfaces.get('eth1')!.masquerade, true);
  assert.equal(r.topology.nodes.get('r1')!.interfaces.get('eth0')!.masquerade, undefined);
});

const one = (body: string, expect = ''): string => {
  const e = errors(body, expect).filter((l) => !l.includes('warning:'));
  assert.equal(e.length, 1, e.join('\n'));
  assert.equal(load(body, expect).topology, undefined, 'nothing is built');
  return e[0]!;
};

test('a source that does not exist, or is not a regular file, is an error at the source', () => {
  assert.match(
    one('    files: [ { path: /etc/x, source: missing.conf } ]\n'),
    /^f\.yaml:11:38: node 'h1': file '\/etc\/x': source \/lab\/missing\.conf does not exist/,
  );
  assert.match(one('    files: [ { path: /etc/x, source: fifo } ]\n'), /source \/lab\/fifo is not a regular file or directory/);
  assert.match(one('    files:\n      - { path: /etc/x, source: sub }\n'.replace('sub', '.')), /f\.yaml:12:33: .*source \/lab is a directory/);
});

test('a source escaping the lab directory with .., or absolute, is refused', () => {
  assert.match(one('    files: [ { path: /etc/x, source: ../secret } ]\n'), /^f\.yaml:11:38: .*it leaves the lab file's directory/);
  assert.match(one('    files: [ { path: /etc/x, source: a/../../secret } ]\n'), /leaves the lab file's directory/);
  assert.match(one('    files: [ { path: /etc/x, source: /etc/shadow } ]\n'), /absolute path is refused/);
});

test('a bind of a missing host directory is an error at the bind', () => {
  assert.match(one('    files: [ { path: /srv, bind: /srv/nope } ]\n'), /^f\.yaml:11:34: node 'h1': file '\/srv': bind \/srv\/nope does not exist/);
  assert.match(one('    files: [ { path: /srv, bind: /lab/frr.conf } ]\n'), /bind \/lab\/frr\.conf is a regular file/);
  assert.match(one('    files: [ { path: /srv, bind: srv } ]\n'), /absolute host directory/);
});

test('a path that is not absolute, has .., or is / is refused', () => {
  assert.match(one('    files: [ { path: etc/x, content: a } ]\n'), /^f\.yaml:11:22: .*a path inside the node is absolute/);
  assert.match(one('    files: [ { path: /etc/../x, content: a } ]\n'), /no \.\. components/);
  assert.match(one('    files: [ { path: //, dir: true } ]\n'), /root directory/);
});

test('two entries at one path, and an entry under a bind, are errors at the later path', () => {
  assert.match(
    one('    files:\n      - { path: /etc/x, content: a }\n      - { path: /etc//x/, content: b }\n'),
    /^f\.yaml:13:17: node 'h1': two files entries are at '\/etc\/x' \(the first at line 12\)/,
  );
  assert.match(
    one('    files:\n      - { path: /srv, bind: /srv/data }\n      - { path: /srv/x.conf, content: a }\n'),
    /^f\.yaml:13:17: .*'\/srv\/x\.conf' lies under the bind of '\/srv' \(line 12\); placing it would write into the host directory/,
  );
});

test('an entry is exactly one of content, source, dir, bind; writable only with bind; no mode on a bind', () => {
  assert.match(one('    files: [ { path: /a } ]\n'), /needs one of content:, source:, dir: true or bind:/);
  assert.match(one('    files: [ { path: /a, content: x, dir: true } ]\n'), /has both content: and dir:/);
  assert.match(one('    files: [ { path: /a, content: x, writable: true } ]\n'), /writable: is only for bind:/);
  assert.match(one('    files: [ { path: /srv, bind: /srv/data, mode: "0700" } ]\n'), /mode: does not apply to bind:/);
  assert.match(one('    files: [ { path: /a, content: x, mode: "0999" } ]\n'), /mode/);
});

test('a within: that is not a duration is an error at the value', () => {
  assert.match(one('', 'expect:\n  - { from: h1, to: r1, within: soon }\n'), /^f\.yaml:12:33: .*within.*500ms, 30s, 2m or 1h/);
  assert.match(one('', 'expect:\n  - { from: h1, to: r1, within: 0s }\n'), /more than 0/);
});

test('masquerade on a node without forwarding is an error at the key', () => {
  const body = lab('').replace('    forwarding: true\n', '');
  const r = loadTopology(body, 'f.yaml', undefined, HOST);
  assert.equal(r.topology, undefined);
  assert.deepEqual(r.issues.map(formatIssue), [
    "f.yaml:6:52: interface 'r1:eth1': masquerade: true needs forwarding: true on node 'r1' (only a router's forwarded traffic is masqueraded)",
  ]);
});

test('an exec step with an empty command is an error at the step', () => {
  assert.match(one('    exec: [ "  " ]\n'), /^f\.yaml:11:13: node 'h1': exec step #1 has an empty command/);
  assert.match(one('    exec:\n      - { command: "" }\n'), /^f\.yaml:12:\d+: node 'h1': exec step #1 has an empty command/);
  assert.match(one('    exec: [ { command: [] } ]\n'), /command line or a non-empty list/);
  assert.match(one('    exec: [ { command: x, timeout: forever } ]\n'), /duration/);
});
