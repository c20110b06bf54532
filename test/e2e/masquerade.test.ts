// Interface `masquerade: true`, like Mininet's NAT node: h1 sits on a private link behind the
// forwarding node `nat`, whose upstream interface masquerades toward `inet`, which has no route
// back to h1's subnet. h1 reaches inet only through the masquerade, and inet sees nat's address
// as the source (a listener in inet answers with the peer address it saw). Documentation
// addresses only: 198.51.100.0/24 inside, 203.0.113.0/24 upstream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, withSandbox } from './lab.js';

const PEER_ECHO = "require('net').createServer((s)=>{s.on('error',()=>{});s.end(s.remoteAddress)}).listen(7000)";

const lab = (masquerade: boolean): string => `name: mq
nodes:
  h1:
    interfaces:
      eth0: { peer: "nat:eth0", address: 198.51.100.2/24 }
    routes:
      - { to: default, via: 198.51.100.1 }
  nat:
    forwarding: true
    interfaces:
      eth0: { peer: "h1:eth0", address: 198.51.100.1/24 }
      eth1: { peer: "inet:eth0", address: 203.0.113.1/24${masquerade ? ', masquerade: true' : ''} }
  inet:
    interfaces:
      eth0: { peer: "nat:eth1", address: 203.0.113.2/24 }
    processes:
      - { name: peer-echo, command: [node, -e, "${PEER_ECHO.replaceAll('"', '\\"')}"], ready: { tcp: 7000 } }
expect:
  - { from: h1, to: inet }
  - { from: h1, to: inet, tcp: 7000, within: 5s }
  - { from: inet, to: h1, reach: false }
`;

const PEER_OF =
  "const s=require('net').connect({host:'203.0.113.2',port:7000,timeout:3000});s.on('data',(d)=>process.stdout.write(d));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1))";

test('masquerade: true on the upstream interface of a forwarding node: h1 reaches inet, which sees the nat node as the source', (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    const on = labFile(lab(true));
    const off = labFile(lab(false));
    try {
      await nslabOk(sb, 'up', on.path);
      const tested = await nslab(sb, 'test', on.path);
      const diag = async (): Promise<string> =>
        (await nslab(sb, 'ps', 'mq')).stdout +
        (await sb.run(['ip', 'netns', 'exec', 'mq-inet', 'ss', '-ltnp'])).stdout +
        (await sb.run(['cat', '/run/nslab/mq/logs/inet.peer-echo.log'])).stdout;
      assert.equal(tested.code, 0, `${tested.stdout}\n${tested.stderr}\n${await diag()}`);
      const seen = await nslabOk(sb, 'exec', 'mq', 'h1', '--', 'node', '-e', PEER_OF);
      assert.equal(seen.trim().replace(/^::ffff:/, ''), '203.0.113.1', 'inet saw the nat node address, not h1');
      const ruleset = (await sb.run(['ip', 'netns', 'exec', 'mq-nat', 'nft', 'list', 'table', 'inet', 'nslab-mq'])).stdout;
      assert.match(ruleset, /oifname "eth1" masquerade/);
      assert.match(await nslabOk(sb, 'up', on.path), /up to date/);
      // The same lab without masquerade: the table is re-rendered without the rule, h1's traffic
      // reaches inet with its own address and inet has no way back.
      await nslabOk(sb, 'up', off.path);
      assert.doesNotMatch((await sb.run(['ip', 'netns', 'exec', 'mq-nat', 'nft', 'list', 'ruleset'])).stdout, /masquerade/);
      assert.equal((await nslab(sb, 'exec', 'mq', 'h1', '--', 'node', '-e', PEER_OF)).code, 1, 'no masquerade, no way back');
      await nslabOk(sb, 'down', 'mq');
      assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout.trim(), '');
    } finally {
      on.done();
      off.done();
    }
  }));
