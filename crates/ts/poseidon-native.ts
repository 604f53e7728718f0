// bun:ffi binding of quil_poseidon_hash_bytes (crates/quilcrypto/src/poseidon.rs, crates/poseidon):
// the native iden3 Poseidon HashBytes, byte-identical to poseidon.ts and ~25–40× faster. Synchronous
// and short (tens of µs), so it runs on the calling thread.
import { FFIType } from "bun:ffi"
import { nullIfEmpty, openNative } from "./native.ts"
import type { PoseidonHash } from "./services.ts"
import { Status } from "./status.ts"

const DIGEST_BYTES = 32

const symbols = {
  quil_poseidon_hash_bytes: { args: [FFIType.ptr, "usize", FFIType.ptr], returns: FFIType.i32 },
} as const

let cached: { readonly hashBytes: PoseidonHash } | { readonly unavailable: string } | undefined

/** The native HashBytes (opened once per thread), or why the library is unavailable. */
export const loadNativePoseidon = (): { readonly hashBytes: PoseidonHash } | { readonly unavailable: string } => {
  if (cached !== undefined) return cached
  const opened = openNative(symbols)
  if ("unavailable" in opened) {
    cached = { unavailable: opened.unavailable }
    return cached
  }
  const call = opened.lib.quil_poseidon_hash_bytes
  cached = {
    hashBytes: (msg) => {
      // Same contract as poseidon.ts: the reference defines no hash for empty input.
      if (msg.length === 0) throw new RangeError("poseidon HashBytes of an empty input is undefined in the reference")
      const out = new Uint8Array(DIGEST_BYTES)
      const status = call(nullIfEmpty(msg), msg.length, out)
      if (status !== Status.Ok) throw new Error(`quil_poseidon_hash_bytes failed (status ${status})`)
      return out
    },
  }
  return cached
}
