// The config schema checks that each `engine.genesisProvers` entry has the shape of a BLS48-581 public
// key; this checks that it is one (a G2 point in the prime-order subgroup), so a typo'd committee is a
// config error (exit 2) at start instead of a devnet whose signatures never verify.
import { hexToBytes } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import { ConfigError, type NodeConfig } from "../../config/index.ts"
import { makeBls } from "../../crates/ts/bls/bls.ts"

export const checkGenesisProvers = (config: NodeConfig): Effect.Effect<void, ConfigError> => {
  const keys = config.engine.genesisProvers ?? []
  if (keys.length === 0) return Effect.void
  return Effect.gen(function* () {
    // Without the native library consensus cannot start anyway; it reports that itself.
    const bls = yield* makeBls().pipe(Effect.option)
    if (bls._tag === "None") return
    yield* Effect.forEach(
      keys,
      (hex, i) =>
        bls.value
          .checkG2(hexToBytes(hex))
          .pipe(
            Effect.mapError(
              (e) => new ConfigError({ path: `engine.genesisProvers[${i}]`, value: `${hex.slice(0, 16)}…`, reason: `not a BLS48-581 public key (${e._tag})` }),
            ),
          ),
      { discard: true },
    )
  })
}
