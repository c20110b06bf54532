// Shared helpers for root tests: skip visibly unless root, a sandbox per test that is always
// stopped, and independent checks with iproute2 and ping run inside the sandbox.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startSandbox, type Sandbox } from './sandbox.js';
import { needTool, type Tool } from './tools.js';

/** Whether we may run: root, or skip visibly (fail instead when NSLAB_REQUIRE_ROOT_TESTS is set). */
export function needRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  assert.ok(!process.env['NSLAB_REQUIRE_ROOT_TESTS'], 'root tests are required here but we are not root');
  t.skip('needs root: builds namespaces inside a throwaway sandbox');
  return false;
}

/**
 * Run fn with a fresh sandbox that is always stopped afterwards, also on failure. With `needs`,
 * only when those tools are installed (else skipped naming the tool, or failed in CI: tools.ts).
 */
export async function withSandbox(t: TestContext, fn: (sb: Sandbox) => Promise<void>): Promise<void>;
export async function withSandbox(t: TestContext, needs: readonly Tool[], fn: (sb: Sandbox) => Promise<void>): Promise<void>;
export async function withSandbox(t: TestContext, a: readonly Tool[] | ((sb: Sandbox) => Promise<void>), b?: (sb: Sandbox) => Promise<void>): Promise<void> {
  const needs = typeof a === 'function' ? [] : a;
  const fn = typeof a === 'function' ? a : (b as (sb: Sandbox) => Promise<void>);
  if (!needRoot(t)) return;
  if (!needTool(t, ...needs)) return;
  const sb = await startSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.stop();
  }
}

/** `ip -j ARGS` in the sandbox, parsed (an empty answer is []). */
export async function ipJson<T = unknown>(sb: Sandbox, ...args: string[]): Promise<T> {
  const r = await sb.run(['ip', '-j', ...args]);
  assert.equal(r.code, 0, `ip -j ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim() || '[]') as T;
}

/** Run a command in the sandbox, requiring exit status 0; returns stdout. */
export async function sh(sb: Sandbox, ...argv: string[]): Promise<string> {
  const r = await sb.run(argv);
  assert.equal(r.code, 0, `${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Whether one ping from a namespace (or the sandbox host when ns is undefined) is answered. */
export async function pings(sb: Sandbox, ns: string | undefined, address: string): Promise<boolean> {
  // -W 3: a first ARP request lost to a link the kernel has not activated yet is resent after 1 s.
  const argv = ['ping', '-c', '1', '-W', '3', '-q', address];
  const r = await sb.run(ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv, { timeoutMs: 10_000 });
  return r.code === 0;
}
