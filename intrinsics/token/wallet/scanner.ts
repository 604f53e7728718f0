// The wallet scanner (spec §11.5, D-TOKEN-13): asks the node for the coins and pendings committed since
// the index's last frame (`created`), trial-decrypts each with the view key locally (the view secret
// never leaves the wallet), then refreshes the spent flag of what the wallet still holds (`record`).
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { IntrinsicApiClient, IntrinsicCliFailure } from "../../contract/index.ts"
import { QUIL_TOKEN_ADDRESS } from "../constants.ts"
import { CreatedAnswer, RecordAnswer } from "../queries.ts"
import type { WalletKeys } from "../stealth.ts"
import { WalletError } from "./errors.ts"
import { type WalletIndex, withScanned, withSpent } from "./wallet-index.ts"

const decodeCreated = Schema.decodeUnknown(CreatedAnswer)
const decodeRecord = Schema.decodeUnknown(RecordAnswer)

type Api = Pick<IntrinsicApiClient, "get">

export interface Synced {
  readonly index: WalletIndex
  /** The shard's head frame as the node last reported it (undefined before the first frame). */
  readonly head: bigint | undefined
}

const malformed = (what: string) => () => new WalletError({ reason: `the node's answer to ${what} is malformed` })

/** Scans forward from `index.scannedTo` to the node's head, then refreshes spent flags. */
export const syncIndex = (api: Api, keys: WalletKeys, start: WalletIndex): Effect.Effect<Synced, WalletError | IntrinsicCliFailure> =>
  Effect.gen(function* () {
    let index = start
    let head: bigint | undefined
    const domain = bytesToHex(QUIL_TOKEN_ADDRESS)
    for (;;) {
      const raw = yield* api.get("created", { domain, ...(index.scannedTo === null ? {} : { since: index.scannedTo }) })
      const page = yield* Effect.mapError(decodeCreated(raw), malformed("created"))
      head = page.head === null ? undefined : BigInt(page.head)
      const before = index.scannedTo
      index = withScanned(index, keys, page.records, page.scannedTo ?? index.scannedTo)
      // Done when nothing new was scanned (the node's frame records end) or the head is reached.
      if (index.scannedTo === before || index.scannedTo === null || (head !== undefined && BigInt(index.scannedTo) >= head)) break
    }
    for (const r of index.records) {
      if (r.record.spent) continue
      const raw = yield* api.get("record", { id: r.record.id })
      const now = yield* Effect.mapError(decodeRecord(raw), malformed("record"))
      if (now.spent) index = withSpent(index, r.record.id, true)
    }
    return { index, head }
  })
