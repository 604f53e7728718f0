// The genesis prover set (consensus.md §1.7, §8.1): who is an active prover before any join has been
// processed. Injected as a service so a devnet, a test or (later) the mainnet genesis import can supply it;
// config/ has no field for it yet (DECISIONS.md D-REG-1).
import { bytesToHex } from "@noble/hashes/utils.js"
import { sha3_256 } from "@noble/hashes/sha3.js"
import { Context, Data, Effect, Layer } from "effect"
import { concatBytes, u64BigEndian } from "../consensus/core/canonical/writer.ts"
import { compareBytes } from "../consensus/core/messages/fields.ts"

export interface GenesisProver {
  /** BLS48-581 G2 public key, 585 bytes; the address is poseidon(publicKey). */
  readonly publicKey: Uint8Array
  /** Vote weight (u64). Every non-mainnet network computes 0 (§8.4); devnets may set their own. */
  readonly seniority: bigint
  /**
   * Confirmation filters of the prover's active allocations; the empty filter makes it a global
   * prover (the genesis beacon and archive peers are created that way). Default: global only.
   */
  readonly filters?: ReadonlyArray<Uint8Array>
}

export interface RegistryGenesisConfig {
  /** p2p network id: 0 mainnet, 99 devnet (the app-leader rule differs on mainnet, §3.11). */
  readonly network: number
  readonly provers: ReadonlyArray<GenesisProver>
}

export class RegistryGenesis extends Context.Tag("quilbun/prover-registry/RegistryGenesis")<RegistryGenesis, RegistryGenesisConfig>() {}

export class GenesisInvalid extends Data.TaggedError("GenesisInvalid")<{ readonly message: string }> {}

const BLS_PUBLIC_KEY_BYTES = 585
const U64_MAX = (1n << 64n) - 1n

/** Keys of 585 bytes, u64 seniority, filters empty or 32–64 bytes, no key twice. */
export const validateGenesis = (config: RegistryGenesisConfig): Effect.Effect<RegistryGenesisConfig, GenesisInvalid> =>
  Effect.suspend(() => {
    const seen = new Set<string>()
    for (const [i, p] of config.provers.entries()) {
      const fail = (reason: string) => Effect.fail(new GenesisInvalid({ message: `genesis prover ${i}: ${reason}` }))
      if (p.publicKey.length !== BLS_PUBLIC_KEY_BYTES) return fail(`public key is ${p.publicKey.length} bytes, want ${BLS_PUBLIC_KEY_BYTES}`)
      if (p.seniority < 0n || p.seniority > U64_MAX) return fail("seniority outside u64")
      const bad = (p.filters ?? []).find((f) => f.length !== 0 && (f.length < 32 || f.length > 64))
      if (bad !== undefined) return fail(`filter of ${bad.length} bytes, want 0 or 32–64`)
      const key = bytesToHex(p.publicKey)
      if (seen.has(key)) return fail("duplicate public key")
      seen.add(key)
    }
    return Effect.succeed(config)
  })

/** Validated when built: a bad genesis fails node assembly instead of a registry that cannot start. */
export const registryGenesisLayer = (config: RegistryGenesisConfig): Layer.Layer<RegistryGenesis, GenesisInvalid> =>
  Layer.effect(RegistryGenesis, validateGenesis(config))

/** Order-independent digest of a genesis set, stored with the seeded registry to notice a changed genesis. */
export const genesisDigest = (config: RegistryGenesisConfig, addressOf: (publicKey: Uint8Array) => Uint8Array): Uint8Array => {
  const entries = config.provers
    .map((p) => {
      const filters = [...(p.filters ?? [new Uint8Array()])].sort(compareBytes)
      return concatBytes(addressOf(p.publicKey), u64BigEndian(p.seniority), ...filters.flatMap((f) => [u64BigEndian(BigInt(f.length)), f]))
    })
    .sort(compareBytes)
  return sha3_256(concatBytes(u64BigEndian(BigInt(config.network)), ...entries))
}
