// An example of testing networked software with nslab's library: two copies of the same lab (the
// same subnets and gateways) run side by side, each with a private host namespace, while a test
// starts a server in one node and checks another reaches it. Run as root (or in a sandbox):
//   node --test examples/api.test.mjs
// The project's own suite runs this file inside a throwaway sandbox (test/e2e/api.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Lab, NslabError } from 'nslab';

/** A client and a server on one network; `expect:` says what `lab.test()` checks. */
const topology = {
  networks: { lan: { subnet: '10.60.0.0/24', gateway: '10.60.0.1' } },
  nodes: {
    client: { interfaces: { eth0: { network: 'lan', address: '10.60.0.10/24' } } },
    server: { interfaces: { eth0: { network: 'lan', address: '10.60.0.20/24' } } },
  },
  expect: [
    { from: 'client', to: 'server' },
    { from: 'client', to: '10.60.0.1' },
  ],
};

/** A tiny HTTP server, written with Node itself so the example needs nothing else installed. */
const SERVER = ['node', '-e', "require('node:http').createServer((q, s) => s.end('hello from ' + require('node:os').hostname())).listen(8080, () => console.log('listening'))"];
const CLIENT = ['node', '-e', "fetch('http://server:8080/').then((r) => r.text()).then((t) => console.log(t))"];

async function serverAnswers(t) {
  // No name given: the lab gets a fresh unique one. 'private': its own host namespace, so the
  // other copy's identical bridge and gateway do not collide with this one's.
  const lab = await Lab.start(topology, { hostNetns: 'private' });
  t.after(() => lab.stop()); // also when an assertion below fails
  const report = await lab.test();
  assert.ok(report.ok, JSON.stringify(report.rows));

  assert.equal((await lab.probe('client', 'server', { tcp: 8080 })).reached, false, 'nothing listens yet');
  const server = await lab.spawn('server', SERVER);
  await server.waitForOutput('listening');
  const probe = await lab.probe('client', 'server', { tcp: 8080 });
  assert.ok(probe.reached, probe.reason);

  const r = await lab.exec('client', CLIENT);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^hello from /);

  // A cut cable: the far end loses carrier and the server is out of reach until the link is back.
  await lab.link('client:eth0').down();
  assert.equal((await lab.probe('client', 'server', { tcp: 8080 })).reached, false, 'the link is cut');
  await lab.link('client:eth0').up();
  assert.ok((await lab.probe('client', 'server', { tcp: 8080 })).reached, 'the link is back');

  assert.equal(await server.kill(), true);
  assert.equal((await lab.probe('client', 'server', { tcp: 8080 })).reached, false, 'the server is gone');
}

describe('two copies of one lab, side by side', { concurrency: 2 }, () => {
  test('copy one', serverAnswers);
  test('copy two', serverAnswers);
});

test('a topology with a mistake is refused with its place', async () => {
  await assert.rejects(Lab.start({ nodes: { a: { interfaces: { eth0: { network: 'nope' } } } } }), (e) => {
    assert.ok(e instanceof NslabError);
    assert.equal(e.code, 'bad-topology');
    assert.match(e.message, /<lab input>:\d+:\d+: .*nope/);
    return true;
  });
});
