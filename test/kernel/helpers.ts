// Helpers for root tests of the kernel layer: a fresh sandbox per test (skipped visibly when not
// root), the driver fixture run inside it, and iproute2 run inside it for independent checks.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sandbox } from '../helpers/sandbox.js';
export { ipJson, needRoot, pings, sh, withSandbox as inSandbox } from '../helpers/checks.js';
import { RESULT_MARK, type Step } from './fixtures/driver.js';

const DRIVER = pathToFileURL(join(import.meta.dirname, 'fixtures', 'driver.js')).href;

/** Environment for commands in the sandbox; the driver checks the marker before doing anything. */
export const SANDBOX_ENV = { ...process.env, NSLAB_TEST_SANDBOX: '1' };

/** Run the driver with these steps inside the sandbox; one result (or error) per step. */
export async function drive(sb: Sandbox, steps: readonly Step[], opts: { uid?: number } = {}): Promise<unknown[]> {
  const code = `import(${JSON.stringify(DRIVER)}).then((m) => m.main(JSON.parse(process.argv[1])))`;
  const node = [process.execPath, '--input-type=module', '-e', code, JSON.stringify(steps)];
  const argv = opts.uid === undefined ? node : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', ...node];
  const r = await sb.run(argv, { env: SANDBOX_ENV, timeoutMs: 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  assert.ok(r.code === 0 && line, `driver failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice(RESULT_MARK.length)) as unknown[];
}

/** Poll cond every 100 ms until it holds or timeoutMs passes. */
export async function eventually(cond: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
