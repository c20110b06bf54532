// What the library API (src/api/) needs of the lab beyond the verbs: turning what a caller gives
// (YAML text, an object, a path) into a topology text with a lab name, fresh lab names, a private
// host namespace (itself a small lab, so it is journaled and `nslab clean` finds it), stopping one
// ad-hoc process, and a last-resort teardown when the calling process exits.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { toYamlText } from '../topology/source.js';
import { isLabName } from '../names/rules.js';
import type { StateRoot } from '../state/root.js';
import { JournalWriter } from '../state/journal.js';
import { labJournal, labPaths } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { systemOf, type SystemOption } from './kernel.js';
import { stopRecords } from './processes.js';
import { readTopologyFile } from './read-file.js';

/** A top-level `name:` line of a topology text (block style, as files are written). */
const NAME_LINE = /^name:[^\n]*$/m;

/** The lab name a topology text declares at its top level, if any (the quick way: no parser). */
export function declaredName(text: string): string | undefined {
  const m = NAME_LINE.exec(text)?.[0];
  if (m === undefined) return undefined;
  const v = m
    .slice('name:'.length)
    .replace(/\s#.*$/, '')
    .trim()
    .replace(/^(['"])(.*)\1$/, '$2');
  return v === '' ? undefined : v;
}

/** Refuse (usage, exit 2) a name a caller gave that is not a lab name. */
export function checkLabName(name: string): void {
  if (!isLabName(name))
    throw new NslabError('usage', `lab name ${JSON.stringify(name)}: lab names are 1 to 10 characters of a-z, 0-9 and -, starting with a letter`, 2);
}

/**
 * The text with its lab name set to `name`: the top-level `name:` line replaced (or one added at
 * the end), so every other line keeps its number and issues point where the caller wrote them.
 */
export function withLabName(text: string, name: string): string {
  checkLabName(name);
  if (NAME_LINE.test(text)) return text.replace(NAME_LINE, `name: ${name}`);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}name: ${name}\n`;
}

/** A topology given as an object, as YAML text for the one loader (same checks, located issues). */
export function objectText(value: object): string {
  return toYamlText(value);
}

/** A topology file's text (read safely, bounded, as the CLI reads it). */
export function fileText(file: string): string {
  return Buffer.from(readTopologyFile(file)).toString('utf8');
}

/** Whether the state root has a journal for this lab (it is up, or partly up, or left behind). */
export function labRecorded(root: StateRoot, lab: string): boolean {
  return existsSync(labPaths(root, lab).journal);
}

/** A lab name no lab of this state root has: `prefix` and random letters and digits (10 characters at most). */
export function freshLabName(root: StateRoot, prefix = 't'): string {
  for (let i = 0; i < 32; i++) {
    const tail = [...randomBytes(6)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
    const name = `${prefix}${tail}`.slice(0, 10);
    if (isLabName(name) && !labRecorded(root, name)) return name;
  }
  throw new NslabError('conflict', 'could not find a free lab name (32 tries)', 1);
}

/** The node whose namespace plays host in a private-host lab. */
export const PRIVATE_HOST_NODE = 'host';

/**
 * The topology of a private host: one node with no interfaces, whose namespace (`<name>-host`) a
 * lab then uses as its host (`--host-netns`). Being a lab, it is journaled like any other, `nslab
 * ls` lists it and `nslab clean` removes it after a crash.
 */
export function privateHostText(name: string): string {
  return `# the private host namespace of a lab started from the library\nname: ${name}\nnodes:\n  ${PRIVATE_HOST_NODE}: {}\n`;
}

/** The namespace a private-host lab gives its guest. */
export function privateHostNetns(name: string): string {
  return `${name}-${PRIVATE_HOST_NODE}`;
}

/** Stop one ad-hoc process (`nslab run`, the library's spawn) of a lab: SIGTERM, then SIGKILL after `graceMs`. False when it was not running. */
export async function stopAdhoc(
  o: { readonly state: StateRoot; readonly lab: string; readonly node: string; readonly name: string; readonly graceMs?: number } & SystemOption,
): Promise<boolean> {
  const recs = [...labJournal(o.state, o.lab).procs.values()].filter((r) => r.node === o.node && r.name === o.name);
  if (recs.length === 0) return false;
  const sys = await systemOf(o);
  const writer = new JournalWriter(o.state, labPaths(o.state, o.lab).journal);
  try {
    await stopRecords(sys, recs, writer, o.graceMs);
    return true;
  } finally {
    writer.close();
  }
}

/** Whether a process recorded in the lab's journal is still running. */
export async function adhocRunning(
  o: { readonly state: StateRoot; readonly lab: string; readonly node: string; readonly name: string } & SystemOption,
): Promise<boolean> {
  const sys = await systemOf(o);
  return [...labJournal(o.state, o.lab).procs.values()].some((r) => r.node === o.node && r.name === o.name && sys.processes.alive(r));
}

/**
 * Take labs down from inside a process `exit` handler, where nothing asynchronous runs any more:
 * a child Node process runs `down` for each, in order (its namespaces before its private host),
 * and this one waits for it, at most 60 s. The verb is found beside this module, wherever the
 * package is installed.
 */
export function downAtExit(root: StateRoot, labs: readonly string[]): void {
  const down = new URL('./down.js', import.meta.url).href;
  const config = new URL('./config.js', import.meta.url).href;
  const script = [
    `const { down } = await import(${JSON.stringify(down)});`,
    `const { stateRootAt } = await import(${JSON.stringify(config)});`,
    `for (const target of ${JSON.stringify(labs)}) await down({ state: stateRootAt(${JSON.stringify(root.path)}), target, force: true }).catch(() => {});`,
  ].join('\n');
  spawnSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore', timeout: 60_000 });
}
