// A closed output (EPIPE), as an 'error' event or thrown by a synchronous write, ends the output
// quietly: later writes are dropped (their callbacks still run), waiters are told once, nothing is
// thrown into the verb. Any other write error is said once on the complaint channel, with status 1.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { guard, type GuardedStream } from '../../../src/cli/stdio.js';

class FakeStream extends EventEmitter {
  written: string[] = [];
  throwOnWrite: Error | undefined;
  write(chunk: unknown, _cb?: () => void): boolean {
    if (this.throwOnWrite) throw this.throwOnWrite;
    this.written.push(String(chunk));
    return true;
  }
}

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`write ${code}`), { code, syscall: 'write' });

test('an EPIPE error event closes the stream quietly; later writes are dropped and their callbacks run', async () => {
  const s = new FakeStream();
  const said: string[] = [];
  const g = guard(s as unknown as GuardedStream, 'standard output', (l) => said.push(l));
  let told = 0;
  g.onClosed(() => told++);
  s.write('one');
  s.emit('error', errno('EPIPE'));
  assert.equal(g.closed, true);
  let called = false;
  assert.equal(
    s.write('two', () => (called = true)),
    true,
  );
  await new Promise((r) => process.nextTick(r));
  assert.ok(called, "the dropped write's callback ran");
  assert.deepEqual(s.written, ['one']);
  s.emit('error', errno('EPIPE'));
  g.onClosed(() => told++); // already closed: told at once
  assert.equal(told, 2);
  assert.deepEqual(said, []);
});

test('a synchronous EPIPE from write() is not thrown into the caller', () => {
  const s = new FakeStream();
  const g = guard(s as unknown as GuardedStream, 'standard output', () => assert.fail('EPIPE is not complained about'));
  s.throwOnWrite = errno('EPIPE');
  assert.doesNotThrow(() => s.write('x'));
  assert.equal(g.closed, true);
  s.throwOnWrite = undefined;
  s.write('after');
  assert.deepEqual(s.written, [], 'nothing is written after the reader left');
});

test('other write errors are said once, set exit status 1, and a thrown one still propagates', () => {
  const before = process.exitCode;
  try {
    process.exitCode = undefined;
    const s = new FakeStream();
    const said: string[] = [];
    guard(s as unknown as GuardedStream, 'standard output', (l) => said.push(l));
    s.emit('error', errno('ENOSPC'));
    s.emit('error', errno('ENOSPC'));
    assert.deepEqual(said, ['nslab: cannot write to standard output (ENOSPC)\n']);
    assert.equal(process.exitCode, 1);

    const t = new FakeStream();
    guard(t as unknown as GuardedStream, 'standard output', () => {});
    t.throwOnWrite = errno('EBADF');
    assert.throws(() => t.write('x'), /EBADF/);
  } finally {
    process.exitCode = before;
  }
});
