// Issue 13 item 11, end to end: what up and down say when they meet another lab's objects or a
// bridge of the lab renamed by hand. A renamed bridge is named (up) and never silently left
// behind (down); a namespace name that another live lab has is that lab's (never "ip netns
// delete" it); a netns_of process already in another lab's node is refused before any change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, recordedProcesses, withSandbox } from './lab.js';

test('a bridge renamed by hand: up names it and how to fix it; down refuses instead of leaving it', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(`name: rb
networks:
  lan: { subnet: 10.96.0.0/24, gateway: 10.96.0.1 }
nodes:
  a: { interfaces: { eth0: { network: lan } } }
`);
    try {
      await nslabOk(sb, 'up', f.path);
      const ren = await sb.run(['sh', '-c', 'ip link set rb-lan down && ip link set rb-lan name handmade && ip link set handmade up']);
      assert.equal(ren.code, 0, ren.stderr);
      const up = await nslab(sb, 'up', f.path);
      assert.equal(up.code, 1, up.stdout + up.stderr);
      assert.match(
        up.stderr,
        /the lab's rb-lan \(marked "nslab:rb:net:lan"\) is now named handmade: rename it back \(`ip link set handmade name rb-lan`\) or take the lab down \(`nslab down rb`\)/,
      );
      assert.doesNotMatch(up.stderr, /another lab with the same gateway/);
      const down = await nslab(sb, 'down', 'rb');
      assert.equal(down.code, 1, down.stdout + down.stderr);
      assert.match(down.stderr, /its bridge rb-lan \(marked "nslab:rb:net:lan"\) is now named handmade; rename it back/);
      assert.equal((await sb.run(['ip', 'link', 'show', 'handmade'])).code, 0, 'down removed something it said it would not');
      await sb.run(['sh', '-c', 'ip link set handmade down && ip link set handmade name rb-lan']);
      await nslabOk(sb, 'down', 'rb');
      assert.notEqual((await sb.run(['ip', 'link', 'show', 'rb-lan'])).code, 0, 'the bridge outlived down');
    } finally {
      await sb.run(['sh', '-c', 'ip link set handmade down; ip link set handmade name rb-lan']);
      await nslab(sb, 'down', 'rb');
      f.done();
    }
  }));

test('a namespace name another live lab has: up says whose it is and never suggests deleting it', (t) =>
  withSandbox(t, async (sb) => {
    const a = labFile(`name: cl
networks:
  lan: { subnet: 10.97.0.0/24 }
nodes:
  a-b: { interfaces: { eth0: { network: lan } } }
`);
    const b = labFile(`name: cl-a
networks:
  lan: { subnet: 10.98.0.0/24 }
nodes:
  b: { interfaces: { eth0: { network: lan } } }
`);
    try {
      await nslabOk(sb, 'up', a.path);
      const r = await nslab(sb, 'up', b.path);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /network namespace cl-a-b \(node b\) belongs to lab cl, which is up; take it down first \(`nslab down cl`\)/);
      assert.doesNotMatch(r.stderr, /ip netns delete/);
      assert.notEqual((await sb.run(['ip', 'link', 'show', 'cl-a-lan'])).code, 0, 'up changed something before refusing');
    } finally {
      await nslab(sb, 'down', 'cl-a');
      await nslab(sb, 'down', 'cl');
      a.done();
      b.done();
    }
  }));

test("netns_of a process in another lab's node is refused before any change, naming the node and lab", (t) =>
  withSandbox(t, async (sb) => {
    const a = labFile(`name: na
networks:
  lan: { subnet: 10.99.0.0/24 }
nodes:
  n1:
    interfaces: { eth0: { network: lan } }
    processes: [ { name: s, command: [sleep, "300"] } ]
`);
    try {
      await nslabOk(sb, 'up', a.path);
      const [p] = await recordedProcesses(sb, 'na');
      const b = labFile(`name: nb
networks:
  lan: { subnet: 10.100.0.0/24 }
nodes:
  x:
    netns_of: ${p!.pid}
    interfaces: { eth0: { network: lan } }
`);
      try {
        const r = await nslab(sb, 'up', b.path);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`node x: netns_of: ${p!.pid}: that process's network namespace is already node n1 of lab na \\(na-n1; \`nslab down na\` releases it\\)`),
        );
        const changed = await sb.run(['sh', '-c', 'ip link show nb-lan; ip netns list | grep nb-']);
        assert.doesNotMatch(changed.stdout, /nb-/, 'up changed something before refusing');
      } finally {
        await nslab(sb, 'down', 'nb');
        b.done();
      }
    } finally {
      await nslab(sb, 'down', 'na');
      a.done();
    }
  }));
