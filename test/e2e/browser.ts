// Browser tests' plumbing: `nslab ui` and a headless Chromium (Debian's, driven by playwright-core)
// both run inside the sandbox's network namespace, so the page reaches the server over the
// sandbox's own loopback and nothing listens on the real host. Chromium gets a fresh profile and
// no network features; both processes are killed by PID when the test ends, also on failure.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, killByPid } from './lab.js';
import { needTool } from '../helpers/tools.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether browser tests can run; skips visibly without Chromium, but fails where root tests are required (CI). */
export function needChromium(t: TestContext): boolean {
  return needTool(t, 'chromium');
}

/** A running `nslab ui` inside the sandbox. */
export interface UiServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  /** What it wrote to stderr so far (for failure messages). */
  stderr(): string;
}

/** Start `nslab ui ARGS --port 0` inside the sandbox and wait (at most 20 s) for the URL it prints. */
export async function startUi(sb: Sandbox, args: readonly string[], pids: number[]): Promise<UiServer> {
  // nsenter without -p/-F execs the command: the PID we get is the server's own.
  const child = spawn('nsenter', ['-t', String(sb.pid), '-n', '-m', '--', process.execPath, BIN, 'ui', ...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pids.push(child.pid as number);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nslab ui printed no URL in 20 s\nstdout: ${out}\nstderr: ${err}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nslab ui exited (${code}) before printing its URL\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  const u = new URL(url);
  return { url, port: Number(u.port), token: u.searchParams.get('token') ?? '', pid: child.pid as number, stderr: () => err };
}

/** A headless Chromium in the sandbox's namespaces, with a fresh profile; `close()` always ends it. */
export interface Browser {
  readonly page: Page;
  close(): Promise<void>;
}

/** Launch Chromium inside the sandbox (through a wrapper that records its PID in `pids`). */
export async function launchBrowser(sb: Sandbox, pids: number[]): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-ui-test-'));
  const pidFile = join(dir, 'chromium.pid');
  const wrapper = join(dir, 'chromium.sh');
  // exec keeps the PID: the wrapper's PID is Chromium's (Debian's /usr/bin/chromium execs too).
  writeFileSync(wrapper, `#!/bin/sh\necho $$ > '${pidFile}'\nexec nsenter -t ${sb.pid} -n -m -- ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  let ctx: BrowserContext | undefined;
  const recordPid = (): void => {
    if (existsSync(pidFile)) pids.push(Number(readFileSync(pidFile, 'utf8').trim()));
  };
  try {
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: wrapper,
      headless: true,
      timeout: 30_000,
      viewport: { width: 1400, height: 820 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  } finally {
    recordPid();
  }
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15_000);
  return {
    page,
    close: async () => {
      await Promise.race([ctx?.close(), new Promise((r) => setTimeout(r, 5_000).unref())]).catch(() => undefined);
      killByPid(pids);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Evaluate an expression in the page, with `cy` bound to the graph (the page exposes window.nslab). */
export function inGraph<T>(page: Page, expr: string): Promise<T> {
  return page.evaluate(`(() => { const cy = window.nslab.cy; return ${expr}; })()`) as Promise<T>;
}

/** Click a graph element (vertex centre or edge midpoint) where it is drawn, like a person would. */
export async function clickElement(page: Page, id: string): Promise<void> {
  const box = await page.locator('#graph').boundingBox();
  assert.ok(box, 'the graph is not on the page');
  const el = `cy.getElementById(${JSON.stringify(id)})`;
  const at = await inGraph<{ x: number; y: number } | null>(
    page,
    `${el}.empty() ? null : ${el}.isEdge() ? ${el}.renderedMidpoint() : ${el}.renderedPosition()`,
  );
  assert.ok(at, `no element ${id} in the graph`);
  await page.mouse.click(box.x + at.x, box.y + at.y);
}

/** The graph's element ids matching a cytoscape selector, sorted. */
export function ids(page: Page, selector: string): Promise<string[]> {
  return inGraph<string[]>(page, `cy.elements(${JSON.stringify(selector)}).map((e) => e.id()).sort()`);
}
