// A file's bytes before YAML: size cap, UTF-8 with the position of the first bad byte, other
// encodings by their byte order mark, characters YAML forbids. Each refusal has a location.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_FILE_BYTES, decodeTopology } from '../../../src/topology/decode.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopologyFile } from '../../../src/model/load.js';

const enc = new TextEncoder();
const bytes = (...parts: Array<string | number[]>): Uint8Array => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));

function refusal(b: Uint8Array): string {
  const r = loadTopologyFile(b, 'f.yaml');
  assert.equal(r.topology, undefined);
  assert.equal(r.issues.length, 1, r.issues.map(formatIssue).join('\n'));
  return formatIssue(r.issues[0]!);
}

const ROWS: ReadonlyArray<{ name: string; input: Uint8Array; want: RegExp }> = [
  { name: 'a Latin-1 byte', input: bytes('name: x\nnodes:\n  caf', [0xe9], ': {}\n'), want: /^f\.yaml:3:6: the file is not UTF-8 text: byte 0xE9/ },
  { name: 'a Latin-1 byte after multi-byte characters on the line', input: bytes('a: ü€', [0xff]), want: /^f\.yaml:1:6: .*byte 0xFF/ },
  { name: 'a truncated UTF-8 sequence at the end', input: bytes('name: x\n', [0xe2, 0x82]), want: /^f\.yaml:2:1: .*byte 0xE2/ },
  { name: 'an overlong encoding of /', input: bytes('name: a', [0xc0, 0xaf]), want: /^f\.yaml:1:8: .*byte 0xC0/ },
  { name: 'an encoded surrogate', input: bytes('name: ', [0xed, 0xa0, 0x80]), want: /^f\.yaml:1:7: .*byte 0xED/ },
  { name: 'UTF-16 little endian', input: bytes([0xff, 0xfe], [0x6e, 0, 0x3a, 0]), want: /^f\.yaml:1:1: the file is UTF-16 .*save it as UTF-8/ },
  { name: 'UTF-16 big endian', input: bytes([0xfe, 0xff], [0, 0x6e]), want: /^f\.yaml:1:1: the file is UTF-16/ },
  { name: 'UTF-32', input: bytes([0xff, 0xfe, 0, 0], [0x6e, 0, 0, 0]), want: /^f\.yaml:1:1: the file is UTF-32/ },
  { name: 'a NUL byte', input: bytes('name: x\nnodes: {}\n  ab', [0]), want: /^f\.yaml:3:5: the control character \\u0000 .*binary file/ },
  { name: 'a raw escape character', input: bytes('name: "x\u001b[2J"\n'), want: /^f\.yaml:1:9: the control character \\u001b .*escape "\\u001b"/ },
  { name: 'DEL', input: bytes('nodes: {}\nname: a\u007f\n'), want: /^f\.yaml:2:8: the control character \\u007f/ },
];

for (const row of ROWS) {
  test(`${row.name} is refused before parsing, at its position`, () => {
    assert.match(refusal(row.input), row.want);
  });
}

test('a UTF-8 byte order mark, tabs, CR LF line ends, NEL and non-ASCII text decode as usual', () => {
  const d = decodeTopology(bytes([0xef, 0xbb, 0xbf], 'name: x\r\nnodes:\t{}\r\n# ü \u0085 😀\n'));
  assert.ok('text' in d);
  assert.equal(d.text.slice(0, 8), 'name: x\r');
});

test('a file over the size cap is refused at 1:1 with both sizes', () => {
  const big = new Uint8Array(MAX_FILE_BYTES + 1).fill(0x20);
  assert.match(refusal(big), /^f\.yaml:1:1: the file is 4\.0 MB \(4194305 bytes\); topology files are limited to 4\.0 MB$/);
});

test('a valid file loads through the bytes path with its text', () => {
  const r = loadTopologyFile(bytes('name: ok\nnodes:\n  a: {}\n'), 'f.yaml');
  assert.ok(r.topology);
  assert.equal(r.text, 'name: ok\nnodes:\n  a: {}\n');
});
