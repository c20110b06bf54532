// Text that nslab did not write itself (argv of processes, interface names and aliases, rule
// comments, log lines quoted in messages) made safe for a terminal: a process in a lab, or
// anyone who can name an interface, must not be able to send escape sequences to the terminal of
// whoever runs nslab (often root). Control characters (C0 except tab and newline, DEL, C1, which
// holds the 8-bit CSI) and the bidirectional overrides that reorder what is shown are written as
// visible escapes instead.

// C0 but \t and \n, DEL and C1; LRM/RLM; bidi embeddings, overrides and isolates; LS/PS.
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\xNN` for a character below U+0100, else `\uNNNN`. */
function escapeCode(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * `s` with every character a terminal would act on escaped. With `lines`, tabs and newlines are
 * kept (a multi-line message); without, they are escaped too (one table cell, one field).
 */
export function printable(s: string, opts: { readonly lines?: boolean } = {}): string {
  return s.replace(opts.lines ? UNSAFE_IN_LINES : UNSAFE_IN_ONE_LINE, escapeCode);
}
