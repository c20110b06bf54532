// `nslab up FILE --watch`: each saved change of the file is applied as a diff and printed; a file
// with problems is reported and changes nothing; Ctrl-C exits 130 and leaves the lab up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BIN, labFile, nslabOk, withSandbox } from './lab.js';

const TEXT =
  'name: wat\nnodes:\n  a:\n    interfaces:\n      eth0: { peer: "b:eth0", address: 10.5.0.1/30 }\n  b:\n    interfaces:\n      eth0: { peer: "a:eth0", address: 10.5.0.2/30 }\n';

test('up --watch applies each saved change, reports a broken save, and Ctrl-C leaves the lab up (exit 130)', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(TEXT);
    try {
      // In one shell inside the sandbox: start watching, edit the file three times, then Ctrl-C.
      const script = [
        `node ${BIN} up ${f.path} --watch > ${f.path}.out 2>&1 & pid=$!`,
        'for i in $(seq 100); do grep -q watching ' + `${f.path}.out && break; sleep 0.05; done`,
        `printf '  c: {}\\n' >> ${f.path}; sleep 1.5`,
        `printf 'oops: [\\n' >> ${f.path}; sleep 1.5`,
        `sed -i '$d' ${f.path}; sleep 1.5`,
        'kill -INT $pid; wait $pid; echo "exit=$?"',
        `cat ${f.path}.out`,
      ].join('\n');
      const r = await sb.run(['bash', '-c', script], { timeoutMs: 60_000 });
      assert.match(r.stdout, /exit=130/, r.stdout + r.stderr);
      assert.match(r.stdout, /lab wat: applied 2 change\(s\) in .*\n {2}ip netns add wat-c\n/);
      assert.match(r.stdout, /lab\.yaml:11:1: invalid YAML.*\nthe lab stays as it was/);
      assert.match(r.stdout, /lab wat: saved, nothing changed/);
      assert.match((await sb.run(['ip', 'netns', 'list'])).stdout, /wat-c/, 'the lab stays up');
      await nslabOk(sb, 'down', 'wat');
    } finally {
      f.done();
    }
  }));
