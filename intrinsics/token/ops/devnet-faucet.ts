// Devnet faucet (0x05F1, D-TOKEN-5): creates coins from nothing, so a devnet or testnet has QUIL to
// move before prover rewards can be minted. Refused on mainnet (network 0) by validate; free (pops no
// fee, produces none); its coins are ordinary coin:Coin records, indistinguishable from any other.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, canonicalWriter, type OpError, decodeCanonical, defineOperation } from "../../contract/index.ts"
import { amountInRange, checkOutputKeys, counts, distinct, invalid, opens, outputIsNew, targetsQuil } from "../checks.ts"
import { coinAddress, encodeCoin } from "../coin.ts"
import { DEVNET_FAUCET, MAX_OUTPUTS } from "../constants.ts"
import { type CoinOutput, readCoinOutput, writeCoinOutput } from "./codec.ts"
import { writeOutputsAndMarkers } from "./apply-spend.ts"
import { memoPerOperation } from "./op-memo.ts"
import { outputCoin, transactionCostOf } from "./transaction.ts"

const OP = DEVNET_FAUCET

export interface DevnetFaucet {
  readonly domain: Uint8Array
  readonly outputs: ReadonlyArray<CoinOutput>
}

/** The canonical bytes of a faucet operation, decoded (total). */
export const decodeDevnetFaucet = (bytes: Uint8Array): Either.Either<DevnetFaucet, OpError> =>
  decodeCanonical(OP, bytes, (r) =>
    Either.gen(function* () {
      const domain = yield* r.fixed("domain", 32)
      const outputs = yield* r.list("outputs", readCoinOutput, MAX_OUTPUTS)
      return { domain, outputs }
    }),
  )

/** Each output coin's address, once per decoded operation (accessSet, validate and apply read it). */
const outputAddresses = memoPerOperation((op: DevnetFaucet, crypto) => op.outputs.map((o) => coinAddress(outputCoin(o), op.domain, crypto)))

export const devnetFaucet = defineOperation<DevnetFaucet>({
  opType: OP,
  name: "devnet-faucet",
  encode: (op) => {
    const w = canonicalWriter(OP).fixed(op.domain).u32(op.outputs.length)
    for (const o of op.outputs) writeCoinOutput(w, o)
    return w.finish()
  },
  decode: decodeDevnetFaucet,
  target: (op) => op.domain,
  accessSet: (op, ctx) => ({
    reads: [],
    writes: outputAddresses(op, ctx.crypto).flatMap((address) => (Either.isRight(address) ? [atomId(op.domain, address.right)] : [])),
  }),
  validate: (op, view, ctx) =>
    Effect.gen(function* () {
      if (ctx.network === 0) return yield* Effect.fail(invalid(OP, "the devnet faucet does not exist on mainnet"))
      yield* targetsQuil(OP, op.domain, ctx)
      yield* counts(OP, 0, op.outputs.length, false)
      yield* distinct(
        OP,
        "outputs",
        op.outputs.map((o) => o.recipient.verificationKey),
      )
      const addresses = outputAddresses(op, ctx.crypto)
      for (const [k, o] of op.outputs.entries()) {
        yield* amountInRange(OP, `output ${k} value`, o.value)
        yield* opens(OP, `output ${k}`, o.commitment, o.value)
        yield* checkOutputKeys(OP, k, o.frameNumber, [o.recipient], op.domain, view, ctx)
        yield* outputIsNew(OP, k, addresses[k], "the coin", op.domain, view)
      }
    }),
  apply: (op, view, ctx) => {
    const addresses = outputAddresses(op, ctx.crypto)
    return writeOutputsAndMarkers(
      OP,
      view,
      op.domain,
      op.outputs.map((o, k) => ({ address: addresses[k], record: encodeCoin(outputCoin(o), op.domain, ctx.crypto.poseidon) })),
      [],
      { created: "coin-created", spent: "coin-spent" },
    )
  },
  // As a Transaction's outputs (spec §6.1); free, so it only weighs in the bundle's cost basis.
  cost: (op) => transactionCostOf(op.outputs.length),
})
