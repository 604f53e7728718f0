// bun:ffi binding of the quilcrypto VDF exports (crates/quilcrypto/src/vdf.rs). Synchronous calls:
// solves must be made from the solver Worker (worker.ts), never from the main event loop.
import { FFIType } from "bun:ffi"
import { concatBytes as concat, nullIfEmpty as buf, openNative, packLengthPrefixed as packIds } from "../native.ts"
import { Status } from "../status.ts"

export const OUTPUT_BYTES = 516
const FORM_BYTES = 258

const symbols = {
  quil_vdf_solve: { args: [FFIType.ptr, "usize", FFIType.u32, FFIType.u64, FFIType.ptr, "usize"], returns: FFIType.i32 },
  quil_vdf_verify: { args: [FFIType.ptr, "usize", FFIType.u32, FFIType.ptr, "usize"], returns: FFIType.i32 },
  quil_vdf_verify_reference: { args: [FFIType.ptr, "usize", FFIType.u32, FFIType.ptr, "usize"], returns: FFIType.i32 },
  quil_vdf_solve_multi: {
    args: [FFIType.ptr, "usize", FFIType.u32, FFIType.ptr, "usize", FFIType.u32, FFIType.u64, FFIType.ptr, "usize"],
    returns: FFIType.i32,
  },
  quil_vdf_verify_multi: {
    args: [FFIType.ptr, "usize", FFIType.u32, FFIType.ptr, "usize", FFIType.ptr, "usize"],
    returns: FFIType.i32,
  },
  quil_vdf_cancel: { args: [FFIType.u64], returns: FFIType.void },
  quil_vdf_clear_cache: { args: [], returns: FFIType.void },
  quil_vdf_discriminant: { args: [FFIType.ptr, "usize", FFIType.u16, FFIType.ptr, "usize"], returns: FFIType.i32 },
  quil_vdf_iterate: { args: [FFIType.ptr, "usize", FFIType.u32, FFIType.ptr, "usize"], returns: FFIType.i32 },
  quil_classgroup_mul: { args: [FFIType.ptr, "usize", FFIType.ptr, "usize", FFIType.ptr, "usize"], returns: FFIType.i32 },
  quil_classgroup_square: { args: [FFIType.ptr, "usize", FFIType.u32, FFIType.ptr, "usize"], returns: FFIType.i32 },
} as const

/** Result of a native call: the status code and, when it is Ok, the output bytes. */
type NativeResult = { readonly status: number; readonly output: Uint8Array }

export interface NativeVdf {
  readonly solve: (challenge: Uint8Array, iterations: number, solveId: number) => NativeResult
  readonly verify: (challenge: Uint8Array, iterations: number, output: Uint8Array) => number
  /** `verify` by the straightforward discriminant search of crypto.md §2.2 (one thread, no cache):
   *  the benchmark's in-run baseline for a cold verify, and a cross-check in tests. */
  readonly verifyReference: (challenge: Uint8Array, iterations: number, output: Uint8Array) => number
  readonly solveMulti: (challenge: Uint8Array, iterations: number, ids: ReadonlyArray<Uint8Array>, index: number, solveId: number) => NativeResult
  readonly verifyMulti: (challenge: Uint8Array, iterations: number, ids: ReadonlyArray<Uint8Array>, blobs: ReadonlyArray<Uint8Array>) => number
  readonly cancel: (solveId: number) => void
  /** Forgets cached discriminants (benchmarks: cold verify). */
  readonly clearCache: () => void
  /** |D| big-endian in `bytes` bytes. */
  readonly discriminant: (seed: Uint8Array, bits: number, bytes: number) => NativeResult
  /** x^(2^t) without proof (a ‖ b). */
  readonly iterate: (challenge: Uint8Array, iterations: number) => NativeResult
  /** Full forms a ‖ b ‖ c: three equal-width two's-complement integers (257 bytes each fits any
   *  reduced 2048-bit form); the output has the input's length. */
  readonly classgroupMul: (f1: Uint8Array, f2: Uint8Array) => NativeResult
  readonly classgroupSquare: (f: Uint8Array, iterations: number) => NativeResult
}

let cached: NativeVdf | { readonly unavailable: string } | undefined

/** Opens the VDF symbols once per thread; `unavailable` explains why the fallback is needed. */
export const loadNativeVdf = (): NativeVdf | { readonly unavailable: string } => {
  if (cached !== undefined) return cached
  const opened = openNative(symbols)
  if ("unavailable" in opened) {
    cached = { unavailable: opened.unavailable }
    return cached
  }
  const lib = opened.lib
  const withOut = (size: number, call: (out: Uint8Array) => number): NativeResult => {
    const output = new Uint8Array(Math.max(size, 1))
    const status = call(output)
    return { status, output: status === Status.Ok ? output : new Uint8Array(0) }
  }
  cached = {
    solve: (challenge, iterations, solveId) =>
      withOut(OUTPUT_BYTES, (out) => lib.quil_vdf_solve(buf(challenge), challenge.length, iterations, solveId, out, out.length)),
    verify: (challenge, iterations, output) => lib.quil_vdf_verify(buf(challenge), challenge.length, iterations, buf(output), output.length),
    verifyReference: (challenge, iterations, output) => lib.quil_vdf_verify_reference(buf(challenge), challenge.length, iterations, buf(output), output.length),
    solveMulti: (challenge, iterations, ids, index, solveId) => {
      const packed = packIds(ids)
      return withOut(OUTPUT_BYTES, (out) =>
        lib.quil_vdf_solve_multi(buf(challenge), challenge.length, iterations, buf(packed), packed.length, index, solveId, out, out.length),
      )
    },
    verifyMulti: (challenge, iterations, ids, blobs) => {
      const packed = packIds(ids)
      const joined = concat(blobs)
      return lib.quil_vdf_verify_multi(buf(challenge), challenge.length, iterations, buf(packed), packed.length, buf(joined), joined.length)
    },
    cancel: (solveId) => lib.quil_vdf_cancel(solveId),
    clearCache: () => lib.quil_vdf_clear_cache(),
    discriminant: (seed, bits, bytes) => withOut(bytes, (out) => lib.quil_vdf_discriminant(buf(seed), seed.length, bits, out, out.length)),
    iterate: (challenge, iterations) => withOut(FORM_BYTES, (out) => lib.quil_vdf_iterate(buf(challenge), challenge.length, iterations, out, out.length)),
    classgroupMul: (f1, f2) => withOut(f1.length, (out) => lib.quil_classgroup_mul(buf(f1), f1.length, buf(f2), f2.length, out, out.length)),
    classgroupSquare: (f, iterations) => withOut(f.length, (out) => lib.quil_classgroup_square(buf(f), f.length, iterations, out, out.length)),
  }
  return cached
}
