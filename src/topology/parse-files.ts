// `nodes.NAME.files` and `nodes.NAME.exec` -> FileRaw / ExecRaw. Each entry is checked on its own
// (schema, exactly one of content/source/dir/bind), then across the node's entries: one entry
// per path, and nothing under a bind (placing it would write into the host directory). Whether
// a source file or a bind directory exists is the model's check (model/files.ts, host view).
import { posix } from 'node:path';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { check, keysOf } from './parse-util.js';
import type { ExecRaw, FileRaw, FileWhat } from './raw.js';
import { execSchema, fileSchema, parseMode } from './schema-files.js';
import { quote } from './text.js';
import type { SNode } from './tree.js';
import { keySpanAt, spanAt } from './tree.js';
import { execStepSchema } from './schema-files.js';

const KINDS = ['content', 'source', 'dir', 'bind'] as const;

/** The node's `files:` entries that could be read; problems go to the sink. */
export function parseFiles(what: string, list: SNode | undefined, sink: IssueSink): FileRaw[] {
  if (list?.kind !== 'seq') return [];
  const out: FileRaw[] = [];
  list.items.forEach((item, i) => {
    const f = parseFile(`${what}: file #${i + 1}`, item, sink);
    if (f) out.push(f);
  });
  checkPaths(what, out, sink);
  return out;
}

function parseFile(what: string, item: SNode, sink: IssueSink): FileRaw | undefined {
  const d = check(fileSchema, { node: item, what, where: `in ${what}`, keys: keysOf(fileSchema) }, sink);
  if (!d) return undefined;
  const kinds = KINDS.filter((k) => d[k] !== undefined);
  if (kinds.length !== 1) {
    if (kinds.length === 0)
      sink.error(item.span, IssueCode.MissingKey, `${what} needs one of content:, source:, dir: true or bind: (what is placed at its path)`);
    for (const k of kinds.slice(1))
      sink.error(
        keySpanAt(item, [], k),
        IssueCode.BadValue,
        `${what} has both ${kinds[0]}: and ${k}:; an entry is exactly one of content:, source:, dir: or bind:`,
      );
    return undefined;
  }
  const kind = kinds[0]!;
  let ok = true;
  const bad = (key: string, message: string): void => {
    sink.error(keySpanAt(item, [], key), IssueCode.BadValue, `${what}: ${message}`);
    ok = false;
  };
  if (d.writable !== undefined && kind !== 'bind') bad('writable', 'writable: is only for bind: entries');
  if (kind === 'bind') {
    if (d.mode !== undefined) bad('mode', 'mode: does not apply to bind: (it would change the host directory)');
    if (d.owner !== undefined) bad('owner', 'owner: does not apply to bind: (it would change the host directory)');
  }
  if (!ok) return undefined;
  const at = (key: string): ReturnType<typeof spanAt> => spanAt(item, [key]);
  const fileWhat: FileWhat =
    kind === 'content'
      ? { kind, content: d.content! }
      : kind === 'source'
        ? { kind, source: { value: posix.normalize(d.source!), span: at('source') } }
        : kind === 'dir'
          ? { kind }
          : { kind, bind: { value: stripSlash(posix.normalize(d.bind!)), span: at('bind') }, writable: d.writable ?? false };
  return {
    path: { value: stripSlash(posix.normalize(d.path)), span: at('path') },
    what: fileWhat,
    ...(d.mode === undefined ? {} : { mode: parseMode(d.mode) }),
    ...(d.owner === undefined ? {} : { owner: String(d.owner) }),
    span: item.span,
  };
}

function stripSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** One entry per path; no entry under a bind entry's path. */
function checkPaths(what: string, files: readonly FileRaw[], sink: IssueSink): void {
  const seen = new Map<string, FileRaw>();
  for (const f of files) {
    const first = seen.get(f.path.value);
    if (first) {
      sink.error(
        f.path.span,
        IssueCode.BadValue,
        `${what}: two files entries are at ${quote(f.path.value)} (the first at line ${first.path.span.line}); give each path once`,
      );
      continue;
    }
    seen.set(f.path.value, f);
  }
  for (const b of files) {
    if (b.what.kind !== 'bind') continue;
    for (const f of files) {
      if (f !== b && f.path.value.startsWith(`${b.path.value}/`)) {
        sink.error(
          f.path.span,
          IssueCode.BadValue,
          `${what}: ${quote(f.path.value)} lies under the bind of ${quote(b.path.value)} (line ${b.path.span.line}); placing it would write into the host directory`,
        );
      }
    }
  }
}

/** Words of a command: a list as is, a string split at white space (never run through a shell). */
export function words(c: string | readonly string[]): string[] {
  return typeof c === 'string'
    ? c
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '')
    : [...c];
}

/** The node's `exec:` steps that could be read; problems go to the sink. */
export function parseExec(what: string, list: SNode | undefined, sink: IssueSink): ExecRaw[] {
  if (list?.kind !== 'seq') return [];
  const out: ExecRaw[] = [];
  list.items.forEach((item, i) => {
    const step = `${what}: exec step #${i + 1}`;
    const d = check(execSchema, { node: item, what: step, where: `in ${step}`, keys: keysOf(execStepSchema) }, sink);
    if (d === undefined) return;
    const m = typeof d === 'string' ? { command: d } : d;
    const command = words(m.command);
    if (command.length === 0 || command[0] === '') {
      sink.error(item.kind === 'map' ? spanAt(item, ['command']) : item.span, IssueCode.BadValue, `${step} has an empty command`);
      return;
    }
    out.push({
      command,
      afterProcesses: 'after' in m && m.after === 'processes',
      ...('user' in m && m.user !== undefined ? { user: m.user } : {}),
      ...('env' in m && m.env !== undefined ? { env: m.env } : {}),
      ...('timeout' in m && m.timeout !== undefined ? { timeoutMs: m.timeout } : {}),
      span: item.span,
    });
  });
  return out;
}
