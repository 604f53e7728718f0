// `bun run bench poseidon [ms]`: iden3 Poseidon HashBytes, native (bun:ffi → crates/poseidon) beside the
// TypeScript reference (crates/ts/poseidon.ts, poseidon-lite) measured in the same run, for a 64-byte
// input (one permutation), a 516-byte VDF output (frame selectors: two) and a 585-byte BLS public key
// (prover addresses: two). Lines:
//   `poseidon.hash_bytes len=<n> native_us=<n> ts_us=<n> ratio=<native/ts> native_p50_us=<n> ts_p50_us=<n>`
// native_us / ts_us are the best per-call time over many short batches: on a shared machine the mean
// mostly measures how often the process was descheduled, the best batch measures the code (p50 shown
// too). ratio = native/ts, lower is better. Target: ≤ 50 µs native for 64 bytes.
// One more line, the floor under native_us: `poseidon.ffi_empty_call native_us=<n> native_p50_us=<n>`,
// the same bun:ffi symbol called with an empty input, which the library rejects before any hashing
// (argument conversion, the call and the status return only).
import { FFIType } from "bun:ffi"
import { openNative } from "../../crates/ts/native.ts"
import { loadNativePoseidon } from "../../crates/ts/poseidon-native.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { Status } from "../../crates/ts/status.ts"
import { reportValues } from "./report.ts"

/** Per-call µs of `hash(msg)`: best and median batch over ~`ms` ms (after a warm-up batch). */
const timeBatches = (hash: (m: Uint8Array) => Uint8Array, msg: Uint8Array, batch: number, ms: number): { best: number; p50: number } => {
  let sink = 0
  const perCall: Array<number> = []
  const end = performance.now() + ms
  for (let round = 0; round === 0 || performance.now() < end; round++) {
    const start = performance.now()
    for (let i = 0; i < batch; i++) sink ^= hash(msg)[0]!
    if (round > 0) perCall.push(((performance.now() - start) * 1000) / batch)
  }
  if (sink === 256) process.stdout.write("\n") // keeps the digests observable
  perCall.sort((a, b) => a - b)
  return { best: perCall[0] ?? Number.NaN, p50: perCall[Math.floor(perCall.length / 2)] ?? Number.NaN }
}

/** Per-call µs of the raw FFI symbol on an empty input (it returns Status.Length without hashing). */
const timeEmptyCall = (ms: number): { best: number; p50: number } => {
  const opened = openNative({ quil_poseidon_hash_bytes: { args: [FFIType.ptr, "usize", FFIType.ptr], returns: FFIType.i32 } })
  if ("unavailable" in opened) throw new Error(`poseidon bench needs the native library: ${opened.unavailable}`)
  const call = opened.lib.quil_poseidon_hash_bytes
  const out = new Uint8Array(32)
  if (call(null, 0, out) !== Status.Length) throw new Error("an empty input must be rejected with Status.Length")
  const empty = (): Uint8Array => {
    call(null, 0, out)
    return out
  }
  return timeBatches(empty, out, 1000, ms)
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const budget = Number(args[0] ?? 1500)
  const loaded = loadNativePoseidon()
  if ("unavailable" in loaded) throw new Error(`poseidon bench needs the native library: ${loaded.unavailable}`)
  const native = loaded.hashBytes
  for (const len of [64, 516, 585]) {
    const msg = new Uint8Array(len).map((_, i) => (i * 131 + 7) & 0xff)
    if (native(msg).join() !== poseidonHashBytes(msg).join()) throw new Error(`native and TypeScript digests differ at len=${len}`)
    const n = timeBatches(native, msg, 5, budget)
    const ts = timeBatches(poseidonHashBytes, msg, 1, budget)
    reportValues(`poseidon.hash_bytes len=${len}`, {
      native_us: n.best,
      ts_us: ts.best,
      ratio: Number((n.best / ts.best).toPrecision(3)),
      native_p50_us: n.p50,
      ts_p50_us: ts.p50,
    })
  }
  const floor = timeEmptyCall(Math.min(budget, 500))
  reportValues("poseidon.ffi_empty_call", { native_us: floor.best, native_p50_us: floor.p50 })
}
