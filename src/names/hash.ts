// The short hash nslab puts into kernel names and markers where a readable name does not fit.
// Pure and shared: model/ hashes overlong host names with it, names/markers.ts tags state roots.

/** Width of a base36 FNV-1a 32 hash (36^7 > 2^32). */
export const HASH_WIDTH = 7;

/** FNV-1a, 32 bits, over the UTF-8 bytes of text. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** fnv1a32 of text in base36, zero-padded to HASH_WIDTH characters. */
export function hash36(text: string): string {
  return fnv1a32(text).toString(36).padStart(HASH_WIDTH, '0');
}
