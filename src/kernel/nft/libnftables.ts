// Thin koffi bindings to libnftables.so.1 (Debian: libnftables1), loaded on first use; re-exported
// by kernel/libc.ts, the home of FFI. Only the calls nslab needs: a context with buffered output
// and error, the JSON output flag, and running a script. No namespace logic here (see nft.ts).
import koffi from 'koffi';

/** The bound functions; a context is an opaque pointer owned by the caller until nftCtxFree. */
export interface Libnftables {
  nft_ctx_new(flags: number): unknown;
  nft_ctx_free(ctx: unknown): void;
  nft_ctx_buffer_output(ctx: unknown): number;
  nft_ctx_buffer_error(ctx: unknown): number;
  nft_ctx_output_set_flags(ctx: unknown, flags: number): void;
  nft_run_cmd_from_buffer(ctx: unknown, buf: string): number;
  nft_ctx_get_output_buffer(ctx: unknown): string | null;
  nft_ctx_get_error_buffer(ctx: unknown): string | null;
}

/** nft_ctx_new flag: the default context (nftables/libnftables.h). */
export const NFT_CTX_DEFAULT = 0;
/** Output flag: JSON instead of the nft language (NFT_CTX_OUTPUT_JSON). */
export const NFT_CTX_OUTPUT_JSON = 1 << 4;

let cached: Libnftables | null | undefined;

/**
 * The library, or null when libnftables.so.1 cannot be loaded (not installed): callers then fall
 * back to the nft program. The outcome is remembered either way.
 */
export function libnftables(): Libnftables | null {
  if (cached !== undefined) return cached;
  try {
    const lib = koffi.load('libnftables.so.1');
    const ctx = koffi.pointer('nft_ctx', koffi.opaque());
    cached = {
      nft_ctx_new: lib.func('nft_ctx_new', ctx, ['uint32_t']),
      nft_ctx_free: lib.func('nft_ctx_free', 'void', [ctx]),
      nft_ctx_buffer_output: lib.func('nft_ctx_buffer_output', 'int', [ctx]),
      nft_ctx_buffer_error: lib.func('nft_ctx_buffer_error', 'int', [ctx]),
      nft_ctx_output_set_flags: lib.func('nft_ctx_output_set_flags', 'void', [ctx, 'unsigned int']),
      nft_run_cmd_from_buffer: lib.func('nft_run_cmd_from_buffer', 'int', [ctx, 'const char *']),
      nft_ctx_get_output_buffer: lib.func('nft_ctx_get_output_buffer', 'const char *', [ctx]),
      nft_ctx_get_error_buffer: lib.func('nft_ctx_get_error_buffer', 'const char *', [ctx]),
    };
  } catch {
    cached = null;
  }
  return cached;
}
