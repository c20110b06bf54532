// Bounds on the shape of a topology, shared by the YAML reader (source.ts) and the reader of
// plain values (value-tree.ts), which must refuse the same inputs. No imports: the value reader
// must not load the YAML library.

/** Mappings and sequences nested deeper than this are refused (no format needs more than 6). */
export const MAX_DEPTH = 64;
/** Upper bound on nodes after alias expansion, a second guard for the tree walk. */
export const MAX_NODES = 2_000_000;
