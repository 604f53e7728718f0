// What a wallet write pays (D-TOKEN-15): the operation's cost basis × the node's fee multiplier, as the
// node answers the `fee` query for that cost — the same product validate enforces. Off mainnet the
// multiplier is 0 until a fee market exists, so writes there are free.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { IntrinsicApiClient, IntrinsicCliFailure } from "../../contract/index.ts"
import { QUIL_TOKEN_ADDRESS } from "../constants.ts"
import { FeeAnswer } from "../queries.ts"
import { WalletError } from "./errors.ts"

const decodeFee = Schema.decodeUnknown(FeeAnswer)

/** The fee for an operation of cost basis `cost`, sent alone in a bundle to QUIL's shard. */
export const feeFor = (api: Pick<IntrinsicApiClient, "get">, cost: bigint): Effect.Effect<bigint, WalletError | IntrinsicCliFailure> =>
  Effect.gen(function* () {
    const raw = yield* api.get("fee", { cost: String(cost), domain: bytesToHex(QUIL_TOKEN_ADDRESS) })
    const answer = yield* Effect.mapError(decodeFee(raw), () => new WalletError({ reason: "the node's answer to fee is malformed" }))
    const fee = BigInt(answer.fee)
    // The node's product, checked: a fee below cost × multiplier would only be refused later.
    if (fee !== cost * BigInt(answer.multiplier))
      return yield* new WalletError({ reason: `the node priced cost ${cost} at ${fee}, not cost × ${answer.multiplier}` })
    return fee
  })
