// The naming rules of the format (v1): lab, node, network and interface names. Names end up
// in kernel object names, /etc/netns paths and hostnames, so anything outside the allowed
// alphabet is refused with the first reason a person can act on.
// The rules themselves (alphabet, lengths) are names/rules.ts's; this module words refusals.
import { MAX_LAB_NAME, MAX_NAME } from '../names/rules.js';
import { escapeChar, quote } from './text.js';

/** What a name names. */
export type NameKind = 'lab' | 'node' | 'network' | 'machine' | 'interface';

/** Longest interface name in bytes (IFNAMSIZ - 1). */
export const MAX_IFNAME = 15;

const SHELL_META = new Set([...';&|$`\'"<>(){}[]*?!~#\\=%^,+@']);

/** Why name is not a valid name of this kind, or undefined when it is valid. */
export function nameProblem(kind: NameKind, name: string): string | undefined {
  return kind === 'interface' ? ifnameProblem(name) : labelProblem(name, kind === 'lab' ? MAX_LAB_NAME : MAX_NAME);
}

/** The full message for an invalid name (nameProblem must have returned a reason). */
export function nameMessage(kind: NameKind, name: string, reason: string): string {
  const rule =
    kind === 'interface'
      ? `interface names are 1 to ${MAX_IFNAME} bytes of A-Z a-z 0-9 _ . -, and not 'lo', '.' or '..'`
      : `${kind} names are 1 to ${kind === 'lab' ? MAX_LAB_NAME : MAX_NAME} characters of a-z, 0-9 and '-', starting with a letter, because they become parts of kernel object names and hostnames`;
  return `invalid ${kind} name ${quote(name)}: ${reason} (${rule})`;
}

function labelProblem(name: string, max: number): string | undefined {
  if (name === '') return 'it is empty';
  const bad = badChar(name, /[a-z0-9-]/);
  if (bad) return bad;
  if (!/^[a-z]/.test(name)) return 'it must start with a letter a-z';
  if (name.length > max) return `it is ${name.length} characters long, more than ${max}`;
  return undefined;
}

function ifnameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `${quote(name)} is a path component, not a name`;
  if (name === 'lo') return "'lo' is the loopback interface every namespace already has";
  const bad = badChar(name, /[A-Za-z0-9_.-]/);
  if (bad) return bad;
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_IFNAME) return `it is ${bytes} bytes long, more than the kernel's limit of ${MAX_IFNAME}`;
  return undefined;
}

/** The first character outside `allowed`, explained. */
function badChar(name: string, allowed: RegExp): string | undefined {
  if (name.includes('..')) return "it contains '..'";
  for (const c of name) {
    if (allowed.test(c)) continue;
    return charReason(c);
  }
  return undefined;
}

function charReason(c: string): string {
  if (c === '/') return "it contains '/'";
  if (c === ' ') return 'it contains a space';
  if (/\s/.test(c)) return `it contains whitespace (${escapeChar(c)})`;
  if ((c.codePointAt(0) ?? 0) > 0x7e)
    return `it contains the non-ASCII character ${quote(c)} (U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (/[\p{Cc}]/u.test(c)) return `it contains the control character ${escapeChar(c)}`;
  if (SHELL_META.has(c)) return `it contains the shell metacharacter ${quote(c)}`;
  if (/[A-Z]/.test(c)) return 'it contains uppercase letters';
  return `it contains ${quote(c)}`;
}

/** Why text is not `NODE:IFACE` (the syntax only; names are checked where they are declared). */
export function endpointProblem(text: string): string | undefined {
  const parts = text.split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return 'write it as NODE:IFACE, such as "r1:eth1"';
  return undefined;
}

/** Split a checked `NODE:IFACE`. */
export function splitEndpoint(text: string): { node: string; iface: string } {
  const [node = '', iface = ''] = text.split(':');
  return { node, iface };
}

/** Why text is not a host name for uts namespaces (RFC 1123 labels, at most 64 bytes), or undefined. */
export function hostnameProblem(text: string): string | undefined {
  if (text.length === 0 || text.length > 64) return 'it must be 1 to 64 characters long';
  const label = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
  return text.split('.').every((l) => l.length <= 63 && label.test(l)) ? undefined : 'use letters, digits and inner hyphens, in dot-separated labels';
}
