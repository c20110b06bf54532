// Tests that need a program or library the machine may lack (ping, nft, libnftables, tcpdump,
// busybox, socat, chromium, frr, bird) say which: they skip with "needs TOOL (apt-get install PKG)" on a
// machine without it, but fail with the same words where root tests are required
// (NSLAB_REQUIRE_ROOT_TESTS=1, set by .ci/run, which installs everything): a silent skip there
// would hide breakage. The sandbox shares the host's file system, so what is found here is there.
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { libnftables } from '../../src/kernel/nft/libnftables.js';

/** The tools tests may need, with the Debian package that provides each. */
const TOOLS = {
  ping: 'iputils-ping',
  nft: 'nftables',
  libnftables: 'libnftables1',
  tcpdump: 'tcpdump',
  busybox: 'busybox',
  socat: 'socat',
  iperf3: 'iperf3',
  chromium: 'chromium',
  frr: 'frr',
  bird: 'bird2',
} as const;

export type Tool = keyof typeof TOOLS;

/** Where programs are looked for: PATH, plus the sbin directories a root shell has. */
function dirs(): string[] {
  return [...(process.env['PATH'] ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the tool is installed. */
export function haveTool(tool: Tool): boolean {
  if (tool === 'libnftables') return libnftables() !== null;
  // FRR's daemons live outside PATH; vtysh is how a test looks inside a node.
  if (tool === 'frr') return ['zebra', 'ospfd'].every((d) => executable(`/usr/lib/frr/${d}`)) && haveProgram('vtysh');
  if (tool === 'bird') return haveProgram('bird') && haveProgram('birdc');
  return haveProgram(tool);
}

function haveProgram(name: string): boolean {
  return dirs().some((d) => executable(join(d, name)));
}

/** "needs TOOL (apt-get install PKG)" */
export function toolMessage(tool: Tool): string {
  return `needs ${tool} (apt-get install ${TOOLS[tool]})`;
}

/**
 * Whether every tool is there. Otherwise: skip visibly naming the first one missing and return
 * false (the test returns), or, where root tests are required, fail with the same words.
 */
export function needTool(t: TestContext, ...tools: Tool[]): boolean {
  const missing = tools.find((x) => !haveTool(x));
  if (missing === undefined) return true;
  assert.ok(!process.env['NSLAB_REQUIRE_ROOT_TESTS'], `${toolMessage(missing)}: required here (NSLAB_REQUIRE_ROOT_TESTS is set)`);
  t.skip(toolMessage(missing));
  return false;
}

const LIBDIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
const BINDIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Every place a tool (a program, or libnftables' shared object) may be installed. */
export function toolPaths(tool: Tool | 'python3' | string): string[] {
  if (tool === 'libnftables') return LIBDIRS.map((d) => join(d, 'libnftables.so.1'));
  return BINDIRS.map((d) => join(d, tool));
}

/**
 * Hide every installed copy of these tools from the processes of a sandbox (its own mount
 * namespace: /dev/null is bind-mounted over each file that exists), so a test can play a fresh
 * machine on one where they are installed. `run` is the sandbox's runner.
 */
export async function hideTools(run: (argv: readonly string[]) => Promise<{ code: number | null; stderr: string }>, tools: readonly string[]): Promise<void> {
  for (const p of tools.flatMap(toolPaths).filter((x) => existsSync(x))) {
    const r = await run(['mount', '--bind', '/dev/null', p]);
    assert.equal(r.code, 0, `hiding ${p}: ${r.stderr}`);
  }
}
