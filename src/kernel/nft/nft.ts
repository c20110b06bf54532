// Running nft scripts inside a network namespace: libnftables in-process while the main thread is
// switched into the namespace (0.5 ms a run), else the nft program spawned from inside the switch.
// libnftables opens its netlink socket in nft_ctx_new and a socket keeps the namespace it was
// made in, so every call makes its context inside withNetns and frees it before switching back
// (notes/kernel.md "nftables"). Nothing here may await while switched.
import { constants as osConstants } from 'node:os';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { libnftables, NFT_CTX_DEFAULT, NFT_CTX_OUTPUT_JSON } from '../libc.js';
import { LIBNFTABLES } from '../../ops/missing.js';
import { findCommand } from '../proc.js';
import { withNetns } from '../netns.js';
import { NslabError } from '../../util/errors.js';

/** Outcome of one script: ok, or nft's error text (which quotes the failing line). */
export type NftResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** What to tell a user when neither libnftables nor the nft program is there. */
export const NFT_MISSING = `nftables rules need ${LIBNFTABLES}`;

// `cli` below (LinuxKernelOptions.nftCli, set by the CLI from NSLAB_NFT_CLI=1) skips libnftables
// and spawns nft (tests of the fallback, debugging).

/**
 * Why nslab cannot run nft scripts here (NFT_MISSING), or undefined when it can: libnftables
 * loads, or (the fallback) the nft program is on PATH. Debian's nft links libnftables, so in
 * practice this is whether libnftables1 is installed.
 */
export function nftMissing(cli = false): string | undefined {
  if (!cli && libnftables() !== null) return undefined;
  return findCommand('nft') === undefined ? NFT_MISSING : undefined;
}

/** Throw the one-line NslabError (exit 1) when nft scripts cannot run here. */
export function needNft(cli = false): void {
  if (nftMissing(cli) !== undefined) throw new NslabError('missing-dependency', `reading nftables tables needs ${LIBNFTABLES}`, 1);
}

interface Raw {
  readonly ok: boolean;
  readonly out: string;
  readonly err: string;
}

/** Run a script in the namespace the thread is in now: libnftables, or `nft -f -`. */
function runHere(script: string, json: boolean, cli: boolean): Raw {
  const lib = cli ? null : libnftables();
  if (lib === null) return spawnNft(script, json);
  const ctx = lib.nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return { ok: false, out: '', err: 'nft_ctx_new failed (cannot open a netlink socket?)' };
  try {
    lib.nft_ctx_buffer_output(ctx);
    lib.nft_ctx_buffer_error(ctx);
    if (json) lib.nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
    const rc = lib.nft_run_cmd_from_buffer(ctx, script);
    return { ok: rc === 0, out: lib.nft_ctx_get_output_buffer(ctx) ?? '', err: lib.nft_ctx_get_error_buffer(ctx) ?? '' };
  } finally {
    lib.nft_ctx_free(ctx);
  }
}

/**
 * A child spawned while this thread is switched inherits the namespace (notes/kernel.md). The
 * script goes through a file: Node hands a child's stdin over as a socket, which nft cannot open
 * as /dev/stdin (ENXIO).
 */
function spawnNft(script: string, json: boolean): Raw {
  const dir = fs.mkdtempSync(join(tmpdir(), 'nslab-nft-'));
  const file = join(dir, 'script.nft');
  fs.writeFileSync(file, script, { mode: 0o600 });
  let r: SpawnSyncReturns<string>;
  try {
    r = spawnSync('nft', [...(json ? ['-j'] : []), '-f', file], { encoding: 'utf8', timeout: 30_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, out: '', err: code === 'ENOENT' ? NFT_MISSING : `nft: ${r.error.message}` };
  }
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

function run(nsFd: number, home: number, script: string, json: boolean, cli: boolean): Raw {
  return withNetns(nsFd, home, () => runHere(script, json, cli));
}

/**
 * Load a script (as `nft -f`) into the namespace nsFd, all or nothing (one transaction).
 * `ip netns exec NS nft -f FILE`
 */
export function nftRun(nsFd: number, home: number, script: string, cli = false): NftResult {
  const r = run(nsFd, home, script, false, cli);
  return r.ok ? { ok: true } : { ok: false, message: r.err.trim() || 'nft failed without a message' };
}

/** Whether an nft error says the object does not exist (ENOENT from the kernel). */
export function nftIsMissing(message: string): boolean {
  return /No such file or directory/.test(message);
}

/** Throw for a failed read, with nft's text. */
function fail(what: string, r: Raw): never {
  throw new Error(`nft ${what}: ${r.err.trim() || 'failed'}`);
}

/**
 * Text of one table as nft prints it, undefined when there is no such table.
 * `ip netns exec NS nft list table FAMILY NAME`
 */
export function nftListTable(nsFd: number, home: number, family: string, table: string, cli = false): string | undefined {
  const r = run(nsFd, home, `list table ${family} ${table}`, false, cli);
  if (r.ok) return r.out;
  if (nftIsMissing(r.err)) return undefined;
  return fail(`list table ${family} ${table}`, r);
}

/**
 * The whole ruleset as text (for "byte-identical before and after" checks).
 * `ip netns exec NS nft list ruleset`
 */
export function nftListRuleset(nsFd: number, home: number, cli = false): string {
  const r = run(nsFd, home, 'list ruleset', false, cli);
  return r.ok ? r.out : fail('list ruleset', r);
}

/**
 * Every table in the namespace, from nft's JSON (foreign ones included: callers filter by name).
 * `ip netns exec NS nft -j list tables`
 */
export function nftTables(nsFd: number, home: number, cli = false): Array<{ family: string; name: string }> {
  const r = run(nsFd, home, 'list tables', true, cli);
  if (!r.ok) fail('list tables', r);
  const doc = JSON.parse(r.out || '{"nftables":[]}') as { nftables?: Array<{ table?: { family: string; name: string } }> };
  return (doc.nftables ?? []).flatMap((e) => (e.table ? [{ family: e.table.family, name: e.table.name }] : []));
}

/**
 * The errno behind nft's error text: nft reports the kernel's refusal as strerror words ("Could
 * not process rule: Device or resource busy"), so the words are matched back to their errno.
 * A syntax or semantic error of the script, or text none of these match, is EINVAL.
 */
export function nftErrno(message: string): { readonly errno: number; readonly code: `E${string}` } {
  for (const [words, code] of NFT_ERRNO_WORDS) {
    if (message.includes(words)) return { errno: osConstants.errno[code as keyof typeof osConstants.errno] ?? 22, code };
  }
  return { errno: 22, code: 'EINVAL' };
}

const NFT_ERRNO_WORDS: ReadonlyArray<readonly [string, `E${string}`]> = [
  ['Operation not permitted', 'EPERM'],
  ['Permission denied', 'EACCES'],
  ['No such file or directory', 'ENOENT'],
  ['Device or resource busy', 'EBUSY'],
  ['File exists', 'EEXIST'],
  ['Cannot allocate memory', 'ENOMEM'],
  ['No buffer space available', 'ENOBUFS'],
  ['Operation not supported', 'EOPNOTSUPP'],
  ['Protocol not supported', 'EPROTONOSUPPORT'],
  ['Address family not supported', 'EAFNOSUPPORT'],
  ['Too many open files', 'EMFILE'],
  ['Message too long', 'EMSGSIZE'],
];
