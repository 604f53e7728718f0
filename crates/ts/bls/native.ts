// bun:ffi symbols of the BLS48-581 and KZG exports (crates/quilcrypto/src/bls.rs). Synchronous
// calls; verify is tens of milliseconds, so bulk work belongs in a data worker.
import { FFIType } from "bun:ffi"
import { openNative } from "../native.ts"

export const SECRET_KEY_BYTES = 73
export const G1_BYTES = 74
export const G2_BYTES = 585

const p = FFIType.ptr
const n = "usize" as const
const i32 = FFIType.i32

const symbols = {
  quil_bls_keygen: { args: [p, n, p, n, p, n, p, n], returns: i32 },
  quil_bls_public_key: { args: [p, n, p, n], returns: i32 },
  quil_bls_sign: { args: [p, n, p, n, p, n, p, n], returns: i32 },
  quil_bls_verify: { args: [p, n, p, n, p, n, p, n], returns: i32 },
  quil_bls_prove_possession: { args: [p, n, p, n], returns: i32 },
  quil_bls_verify_possession: { args: [p, n, p, n], returns: i32 },
  quil_bls_aggregate: { args: [p, n, p, n, p, n, p, n], returns: i32 },
  quil_bls_aggregate_public_keys: { args: [p, n, p, n], returns: i32 },
  quil_bls_aggregate_signatures: { args: [p, n, p, n], returns: i32 },
  quil_bls_verify_multi_message: { args: [p, n, p, n, p, n, p, n], returns: i32 },
  quil_bls_g1_check: { args: [p, n], returns: i32 },
  quil_bls_g2_check: { args: [p, n], returns: i32 },
  quil_kzg_commit: { args: [p, n, FFIType.u64, p, n], returns: i32 },
  quil_kzg_prove: { args: [p, n, FFIType.u64, FFIType.u64, p, n], returns: i32 },
  quil_kzg_verify: { args: [p, n, p, n, FFIType.u64, p, n, FFIType.u64], returns: i32 },
  quil_kzg_prove_multiple: { args: [p, n, p, n, p, n, FFIType.u64, p, n, p, n], returns: i32 },
  quil_kzg_verify_multiple: { args: [p, n, p, n, p, n, FFIType.u64, p, n, p, n], returns: i32 },
  quil_kzg_update_commitment: { args: [p, n, p, n, p, n, p, n, FFIType.u64, p, n], returns: i32 },
} as const

type Lib = ReturnType<typeof openNative<typeof symbols>>
const open = (): Lib => openNative(symbols)

let cached: Lib | undefined

/** The opened symbols, or the reason the library is unavailable (opened once per thread). */
export const loadNativeBls = (): Lib => {
  cached ??= open()
  return cached
}

/** Indices as n × u64 little-endian. */
export const packIndices = (indices: ReadonlyArray<number>): Uint8Array => {
  const out = new Uint8Array(indices.length * 8)
  const view = new DataView(out.buffer)
  indices.forEach((v, i) => view.setBigUint64(i * 8, BigInt(v), true))
  return out
}
