// A topology file's bytes -> text, or the one finding that says why it is not a text YAML can
// read: too big, not UTF-8 (with the position of the first bad byte), UTF-16/32, or a character
// YAML forbids (NUL and other control characters: a binary file). Pure: the caller reads the file.
import type { Span } from './types.js';
import { IssueCode } from './issues.js';
import type { Finding } from './issues.js';
import { escapeChar } from './text.js';

/**
 * Topology files are refused above this size, before parsing. The largest real labs (a thousand
 * nodes, one line each) are well under 1 MB; parsing 4 MB takes about a second.
 */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** The text of a topology file, or why it has none. */
export type Decoded = { readonly text: string } | { readonly finding: Finding };

/** The finding for a file of `size` bytes, over MAX_FILE_BYTES (reported at 1:1, before reading it). */
export function tooBig(size: number): Finding {
  const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return {
    span: { line: 1, col: 1 },
    code: IssueCode.YamlLimit,
    message: `the file is ${mb(size)} (${size} bytes); topology files are limited to ${mb(MAX_FILE_BYTES)}`,
  };
}

/** Decode a topology file's bytes (UTF-8, an optional byte order mark is dropped). */
export function decodeTopology(bytes: Uint8Array): Decoded {
  if (bytes.length > MAX_FILE_BYTES) return { finding: tooBig(bytes.length) };
  const bom = otherEncoding(bytes);
  if (bom)
    return {
      finding: {
        span: { line: 1, col: 1 },
        code: IssueCode.YamlSyntax,
        message: `the file is ${bom} (it starts with a ${bom} byte order mark); save it as UTF-8`,
      },
    };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { finding: notUtf8(bytes) };
  }
  const bad = firstForbidden(text);
  return bad ? { finding: bad } : { text };
}

function otherEncoding(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xfe) return b[2] === 0 && b[3] === 0 ? 'UTF-32' : 'UTF-16';
  if (b[0] === 0xfe && b[1] === 0xff) return 'UTF-16';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32';
  return undefined;
}

/** The first byte that is not part of valid UTF-8, located by line and column (in characters). */
function notUtf8(bytes: Uint8Array): Finding {
  const at = firstInvalidByte(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, at));
  const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return {
    span: { line, col: before.length + 1 },
    code: IssueCode.YamlSyntax,
    message: `the file is not UTF-8 text: byte 0x${hex} here does not start or continue a UTF-8 character (was it saved as Latin-1? save it as UTF-8)`,
  };
}

/** Index of the first byte where UTF-8 decoding fails (bytes must be invalid somewhere). */
function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n === 0) return i;
    i += n;
  }
  return b.length;
}

/** Length of the valid UTF-8 sequence at i, or 0 (overlong forms, surrogates and > U+10FFFF are invalid). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const [n, lo, hi] =
    c >= 0xc2 && c <= 0xdf
      ? [2, 0x80, 0xbf]
      : c === 0xe0
        ? [3, 0xa0, 0xbf]
        : c === 0xed
          ? [3, 0x80, 0x9f]
          : c >= 0xe1 && c <= 0xef
            ? [3, 0x80, 0xbf]
            : c === 0xf0
              ? [4, 0x90, 0xbf]
              : c === 0xf4
                ? [4, 0x80, 0x8f]
                : c >= 0xf1 && c <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : [0, 0, 0];
  if (n === 0 || i + n > b.length) return 0;
  const second = b[i + 1]!;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return n;
}

/**
 * YAML allows only printable characters in a file (YAML 1.2, c-printable): tab, line breaks and
 * everything from space up, except DEL, C1 controls other than NEL, and U+FFFE/U+FFFF. A NUL
 * usually means a binary file, or UTF-16 without a byte order mark.
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

function firstForbidden(text: string): Finding | undefined {
  const m = FORBIDDEN.exec(text);
  if (!m) return undefined;
  const span = spanOfIndex(text, m.index);
  const c = escapeChar(m[0]);
  const hint = m[0] === '\u0000' ? ' (is it a binary file, or UTF-16 without a byte order mark?)' : `; inside double quotes, write it as the escape "${c}"`;
  return { span, code: IssueCode.YamlSyntax, message: `the control character ${c} cannot appear in a YAML file${hint}` };
}

/** 1-based line and column (in UTF-16 units, as the YAML parser counts) of a string index. */
function spanOfIndex(text: string, index: number): Span {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  return { line, col: index - lineStart + 1 };
}
