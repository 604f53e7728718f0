// `bun run bench poseidon [ms]`: iden3 Poseidon HashBytes, native (bun:ffi → crates/poseidon) beside the
// TypeScript reference (crates/ts/poseidon.ts, poseidon-lite) measured in the same run, for a 64-byte
// input (one permutation), a 516-byte VDF output (frame selectors: two) and a 585-byte BLS public key
// (prover addresses: two). Lines: `poseidon.hash_bytes len=<n> native_us=<n> ts_us=<n> ratio=<native/ts>`
// (lower is better). Target: ≤ 50 µs native for 64 bytes.
import { loadNativePoseidon } from "../../crates/ts/poseidon-native.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { opsPerSecond, reportValues } from "./report.ts"

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const budget = Number(args[0] ?? 1500)
  const loaded = loadNativePoseidon()
  if ("unavailable" in loaded) throw new Error(`poseidon bench needs the native library: ${loaded.unavailable}`)
  const native = loaded.hashBytes
  let sink = 0
  for (const len of [64, 516, 585]) {
    const msg = new Uint8Array(len).map((_, i) => (i * 131 + 7) & 0xff)
    if (native(msg).join() !== poseidonHashBytes(msg).join()) throw new Error(`native and TypeScript digests differ at len=${len}`)
    const usPer = async (hash: (m: Uint8Array) => Uint8Array, batch: number, ms: number): Promise<number> =>
      1e6 /
      (await opsPerSecond(
        (n) => {
          for (let i = 0; i < n; i++) sink ^= hash(msg)[0]!
        },
        { batch, ms, warmupMs: Math.min(300, ms / 3) },
      ))
    const nativeUs = await usPer(native, 100, budget)
    const tsUs = await usPer(poseidonHashBytes, 1, budget)
    reportValues(`poseidon.hash_bytes len=${len}`, { native_us: nativeUs, ts_us: tsUs, ratio: Number((nativeUs / tsUs).toPrecision(3)) })
  }
  if (sink === 256) process.stdout.write("\n") // keeps the digests observable
}
