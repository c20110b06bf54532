// Reading the host's limits: the open-file limit as a process started under `prlimit` sees it
// (Node raises the soft limit to the hard one, so that is what nslab gets), memory and CPUs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostLimits } from '../../../src/kernel/host-limits.js';

const MODULE = join(import.meta.dirname, '..', '..', '..', 'src', 'kernel', 'host-limits.js');
const haveprlimit = spawnSync('prlimit', ['--version']).status === 0;

test('the open-file limit is read as the process has it: soft raised to hard by Node', {
  skip: haveprlimit ? false : 'prlimit (util-linux) is not installed',
}, () => {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => console.log(JSON.stringify(m.hostLimits().openFiles)))`;
  const r = spawnSync('prlimit', ['--nofile=123:456', process.execPath, '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  const files = JSON.parse(r.stdout) as { soft: number; hard: number; inUse: number };
  assert.equal(files.soft, 456);
  assert.equal(files.hard, 456);
  assert.ok(files.inUse >= 3 && files.inUse < 100, `in use: ${files.inUse}`);
});

test('memory, CPUs and the neighbour table are read from procfs', () => {
  const h = hostLimits();
  const avail = Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
  assert.ok(h.memAvailableKb !== undefined && h.memAvailableKb > 0);
  // Our cgroup's room can only lower what MemAvailable says (allowing for the time between reads).
  assert.ok(h.memAvailableKb <= avail * 1.1, `${h.memAvailableKb} vs MemAvailable ${avail}`);
  assert.ok(h.cpus >= 1);
  assert.ok(h.neigh.cap > 0);
});
