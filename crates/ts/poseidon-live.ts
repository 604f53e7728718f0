import { Effect, Layer } from "effect"
import { loadNativePoseidon } from "./poseidon-native.ts"
import { poseidonHashBytes } from "./poseidon.ts"
import { Poseidon, type PoseidonHash } from "./services.ts"

/** Which HashBytes a node runs: native (crates/poseidon) or the TypeScript reference (poseidon.ts). */
export interface ChosenPoseidon {
  readonly implementation: "native" | "typescript"
  readonly hash: PoseidonHash
  /** Why the native library could not be used (typescript only). */
  readonly unavailable?: string
}

/**
 * The native hash when the quilcrypto library loads, else poseidon.ts — the same bytes either way
 * (cross-checked in test/unit/crates/poseidon-native.test.ts), the TS one being ~25–40× slower
 * (`bun run bench poseidon`).
 */
export const choosePoseidon = (loaded = loadNativePoseidon()): ChosenPoseidon =>
  "unavailable" in loaded
    ? { implementation: "typescript", hash: poseidonHashBytes, unavailable: loaded.unavailable }
    : { implementation: "native", hash: loaded.hashBytes }

let warnedFallback = false

/** The consensus `Poseidon` service: native HashBytes, or the TypeScript one (with a warning, once per process). */
export const PoseidonLive = Layer.effect(
  Poseidon,
  Effect.gen(function* () {
    const chosen = choosePoseidon()
    if (chosen.unavailable !== undefined && !warnedFallback) {
      warnedFallback = true
      yield* Effect.logWarning(`Poseidon: ${chosen.unavailable}; using the TypeScript implementation (much slower)`)
    }
    return chosen.hash
  }),
)
