// Commands given to `exec` and to `processes:` reach the program as the words written, never
// through a shell (issue #7): `$(...)`, `;` and backquotes arrive literally and run nothing, also
// through the hostname wrapper of a uts-isolated node and in a command written as one string.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, recordedProcesses, killByPid, withSandbox } from './lab.js';

test('shell syntax in exec arguments and process commands is passed literally and runs nothing', (t) =>
  withSandbox(t, async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-noshell-'));
    const marker = (n: number): string => join(dir, `pwned${n}`);
    const words = [`$(touch ${marker(1)})`, `; touch ${marker(2)}`, `\`touch ${marker(3)}\``, `| touch ${marker(4)}`];
    const yamlList = words.map((w) => JSON.stringify(w)).join(', ');
    const script = JSON.stringify('printf "<%s>\\n" "$@"; sleep 300');
    const f = labFile(`name: noshell
nodes:
  plain:
    interfaces: { eth0: { host: true, address: 10.66.0.2/24 } }
    processes:
      # The user writes a shell: the words are its positional parameters, not part of its script.
      - { name: words, command: [sh, -c, ${script}, sh, ${yamlList}] }
      # One string is split at white space only; tail follows /dev/null and names the rest as missing files.
      - { name: line, command: "tail -f /dev/null $(touch ${marker(5)}) ;touch${marker(6)}" }
  boxed:
    isolate: [uts, pid]
    interfaces: { eth0: { host: true, address: 10.66.1.2/24 } }
    processes:
      - { name: words, command: [sh, -c, ${script}, sh, ${yamlList}] }
`);
    const pids: number[] = [];
    const expected = words.map((w) => `<${w}>\n`).join('');
    try {
      await nslabOk(sb, 'up', f.path);
      pids.push(...(await recordedProcesses(sb, 'noshell')).map((p) => p.pid));
      for (const node of ['plain', 'boxed']) {
        assert.equal(await nslabOk(sb, 'exec', 'noshell', node, '--', 'printf', '<%s>\\n', ...words), expected);
      }
      const log = async (node: string, proc: string): Promise<string> => (await sb.run(['cat', `/run/nslab/noshell/logs/${node}.${proc}.log`])).stdout;
      assert.equal(await waitFor(() => log('plain', 'words'), words.length), expected);
      assert.equal(await waitFor(() => log('boxed', 'words'), words.length), expected);
      const tail = await waitFor(() => log('plain', 'line'), 3);
      for (const w of ['$(touch', `${marker(5)})`, `;touch${marker(6)}`]) assert.ok(tail.includes(`'${w}'`), `tail did not get ${w} as one word:\n${tail}`);
      for (let n = 1; n <= 6; n++) assert.ok(!existsSync(marker(n)), `${marker(n)} exists: something ran a shell`);
    } finally {
      await nslab(sb, 'down', 'noshell');
      killByPid(pids);
      f.done();
      rmSync(dir, { recursive: true, force: true });
    }
  }));

/** Poll (bounded, 5 s) until read() returns at least `lines` lines. */
async function waitFor(read: () => Promise<string>, lines: number): Promise<string> {
  let text = '';
  for (let i = 0; i < 50; i++) {
    text = await read();
    if (text.split('\n').length > lines) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return text;
}
