// Files that are not topology files: a FIFO (reading it would wait for a writer forever) and one
// over the size limit. Every verb that takes a file refuses them at once with exit 2, never
// blocks, and creates nothing.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, withSandbox } from './lab.js';

test('a FIFO or a too-big file is refused at once by validate, up, up --dry-run, down and test', (t) =>
  withSandbox(t, async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-odd-'));
    // Readable by the sandbox's unprivileged user too, when the suite runs rootless.
    chmodSync(dir, 0o755);
    try {
      const fifo = join(dir, 'lab.yaml');
      execFileSync('mkfifo', [fifo]);
      const big = join(dir, 'big.yaml');
      writeFileSync(big, `name: big\n# ${'x'.repeat(5 * 1024 * 1024)}\n`);
      for (const [file, why] of [
        [fifo, /not a regular file/],
        [big, /limited to/],
      ] as const) {
        for (const verb of [['validate'], ['up'], ['up', '--dry-run'], ['down'], ['test']]) {
          // A verb that read the FIFO would block: the run is killed after 10 s and fails here.
          const r = await sb.run(['node', BIN, ...verb, file], { timeoutMs: 10_000 });
          assert.equal(r.code, 2, `${verb.join(' ')} ${file}: exit ${r.code}\n${r.stdout}${r.stderr}`);
          assert.match(r.stderr, why, `${verb.join(' ')} ${file}`);
        }
      }
      assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout.trim(), '');
      assert.equal((await sb.run(['sh', '-c', 'ls -A /run/nslab 2>/dev/null'])).stdout.trim(), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));
