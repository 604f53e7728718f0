// Read-only queries (spec §11.1 "query"), served at `GET /v1/intrinsics/token/<query>`:
// `fee?cost=` (what an operation pays: cost × the node's multiplier), `record?id=` (a coin or pending
// transfer: its public fields and whether it is spent) and
// `balance?ids=&viewKey=&spendKey=` (what of the given records a wallet owns, unmasked with its view
// key). The view has no iteration, so the caller names the records; the view-key scanner and its
// wallet index (spec §11.5) replace `ids` later.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { type CryptoServices, defineQuery, domainOf, type Query, QueryError, type ReadView, vertex } from "../contract/index.ts"
import { type Coin, decodeCoin } from "./coin.ts"
import { POINT_BYTES } from "./constants.ts"
import { decodePoint, scalarFromBytes } from "./decaf.ts"
import { decodePending, type Pending } from "./pending.ts"
import { isSpent } from "./checks.ts"
import { scanOutput } from "./stealth.ts"

const Hex = (bytes: number) =>
  Schema.String.pipe(Schema.pattern(new RegExp(`^(0x)?[0-9a-fA-F]{${bytes * 2}}$`), { message: () => `expected ${bytes} bytes of hex` }))
const bytesOf = (hex: string): Uint8Array => hexToBytes((hex.startsWith("0x") ? hex.slice(2) : hex).toLowerCase())

const Side = Schema.Struct({ oneTimeKey: Schema.String, verificationKey: Schema.String, coinBalance: Schema.String, mask: Schema.String })
export const RecordAnswer = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literal("coin", "pending"),
  frameNumber: Schema.String,
  commitment: Schema.String,
  /** A coin: its recipient; a pending: the to side. */
  to: Side,
  refund: Schema.optional(Side),
  expiration: Schema.optional(Schema.String),
  spent: Schema.Boolean,
})

/** `created` answers whole frames until at least this many new vertices (a frame's own count may exceed it). */
const CREATED_LIMIT = 256

const Units = Schema.String.pipe(Schema.pattern(/^\d{1,80}$/))
export const FeeAnswer = Schema.Struct({ cost: Units, multiplier: Units, fee: Units })

export const CreatedAnswer = Schema.Struct({ head: Schema.NullOr(Schema.String), scannedTo: Schema.NullOr(Schema.String), records: Schema.Array(RecordAnswer) })

type Held = { readonly kind: "coin"; readonly coin: Coin } | { readonly kind: "pending"; readonly pending: Pending }

const readHeld = (view: ReadView, id: Uint8Array, poseidon: CryptoServices["poseidon"]): Effect.Effect<Held, QueryError> => {
  const found = view.get(vertex(id))
  if (found._tag !== "Present") return Effect.fail(new QueryError({ kind: "not-found", reason: `no token record ${bytesToHex(id)}` }))
  const domain = domainOf(id)
  const coin = decodeCoin(found.value, domain, poseidon)
  if (Either.isRight(coin)) return Effect.succeed({ kind: "coin", coin: coin.right })
  const pending = decodePending(found.value, domain, poseidon)
  if (Either.isRight(pending)) return Effect.succeed({ kind: "pending", pending: pending.right })
  return Effect.fail(new QueryError({ kind: "not-found", reason: `${bytesToHex(id)} is not a coin or a pending transfer` }))
}

const side = (s: Coin | Pending["to"]) => ({
  oneTimeKey: bytesToHex(s.oneTimeKey),
  verificationKey: bytesToHex(s.verificationKey),
  coinBalance: bytesToHex(s.coinBalance),
  mask: bytesToHex(s.mask),
})

/** A coin is spent when its VK's marker exists; a pending when either party's does. */
const spentOf = (view: ReadView, domain: Uint8Array, held: Held, poseidon: CryptoServices["poseidon"]): boolean =>
  held.kind === "coin"
    ? isSpent(view, domain, held.coin.verificationKey, poseidon)
    : isSpent(view, domain, held.pending.to.verificationKey, poseidon) || isSpent(view, domain, held.pending.refund.verificationKey, poseidon)

const recordAnswer = (view: ReadView, idBytes: Uint8Array, held: Held, poseidon: CryptoServices["poseidon"]): typeof RecordAnswer.Type => {
  const spent = spentOf(view, domainOf(idBytes), held, poseidon)
  if (held.kind === "coin") {
    return {
      id: bytesToHex(idBytes),
      kind: "coin" as const,
      frameNumber: String(held.coin.frameNumber),
      commitment: bytesToHex(held.coin.commitment),
      to: side(held.coin),
      spent,
    }
  }
  const p = held.pending
  return {
    id: bytesToHex(idBytes),
    kind: "pending" as const,
    frameNumber: String(p.frameNumber),
    commitment: bytesToHex(p.commitment),
    to: side(p.to),
    refund: side(p.refund),
    expiration: String(p.expiration),
    spent,
  }
}

/** Queries read type and spent markers, which need Poseidon; QueryCtx carries no crypto, so the node binds it here. */
export const makeTokenQueries = (poseidon: CryptoServices["poseidon"]): ReadonlyArray<Query> => [
  defineQuery({
    name: "record",
    description: "A coin or pending transfer by id (hex, 64 bytes): its public fields and whether it is spent.",
    args: Schema.Struct({ id: Hex(64) }),
    result: RecordAnswer,
    run: ({ id }, view) => Effect.map(readHeld(view, bytesOf(id), poseidon), (held) => recordAnswer(view, bytesOf(id), held, poseidon)),
  }),
  defineQuery({
    name: "balance",
    description:
      "What a wallet owns among the given records (comma-separated 64-byte hex ids): each unspent coin, pending sent to it, or expired pending it may reclaim, opened with its view key (56-byte scalar, hex) and spend public key (56-byte point, hex), and their total in raw units.",
    // `domain` is read by the node's query routing only (runtime/node/query-shard.ts): it sends the query
    // to the worker covering that shard; `ids` alone would land on the first worker.
    args: Schema.Struct({ ids: Schema.String, viewKey: Hex(POINT_BYTES), spendKey: Hex(POINT_BYTES), domain: Schema.optional(Hex(32)) }),
    result: Schema.Struct({
      total: Schema.String,
      records: Schema.Array(Schema.Struct({ id: Schema.String, kind: Schema.String, side: Schema.String, amount: Schema.String })),
    }),
    run: ({ ids, viewKey, spendKey }, view, ctx) =>
      Effect.gen(function* () {
        const v = scalarFromBytes(bytesOf(viewKey))
        const S = decodePoint(bytesOf(spendKey))
        if (v === undefined || S === undefined)
          return yield* Effect.fail(new QueryError({ kind: "bad-request", reason: "viewKey must be a canonical scalar and spendKey a Decaf448 point" }))
        const list = [
          ...new Set(
            ids
              .split(",")
              .filter((s) => s.length > 0)
              .map((s) => (s.startsWith("0x") ? s.slice(2) : s).toLowerCase()),
          ),
        ]
        if (list.length > 256 || !list.every((s) => /^(0x)?[0-9a-fA-F]{128}$/.test(s))) {
          return yield* Effect.fail(new QueryError({ kind: "bad-request", reason: "ids: at most 256 comma-separated 64-byte hex ids" }))
        }
        const records: Array<{ id: string; kind: string; side: string; amount: string }> = []
        let total = 0n
        for (const hex of list) {
          const id = bytesOf(hex)
          const held = yield* Effect.either(readHeld(view, id, poseidon))
          if (Either.isLeft(held) || spentOf(view, domainOf(id), held.right, poseidon)) continue
          // The scanner's test needs only v and S: the spend secret stays with the wallet.
          // A pending counts for its recipient, and for its refund party only once it can reclaim it
          // (frame ≥ expiration at the shard's head): otherwise a transfer in flight would count twice.
          const p = held.right.kind === "pending" ? held.right.pending : undefined
          const reclaimable = p !== undefined && ctx.frameNumber !== undefined && ctx.frameNumber >= p.expiration
          const sides =
            held.right.kind === "coin"
              ? [["coin", held.right.coin] as const]
              : [["to", held.right.pending.to] as const, ...(reclaimable ? [["refund", held.right.pending.refund] as const] : [])]
          for (const [name, s] of sides) {
            const owned = scanOutput(v, S, s)
            if (owned === undefined) continue
            records.push({ id: bytesToHex(id), kind: held.right.kind, side: name, amount: String(owned.value) })
            total += owned.value
            break
          }
        }
        return { total: String(total), records }
      }),
  }),
  defineQuery({
    name: "created",
    description:
      "Coins and pending transfers committed under a token domain (hex, 32 bytes) in frames after `since` (all frames when absent), oldest first, at most about 256 per answer (whole frames): each as `record` answers it. `scannedTo` is the last frame included; ask again from it until it reaches `head`.",
    // `domain` also routes the query to the worker covering that shard (runtime/node/query-shard.ts).
    args: Schema.Struct({ domain: Hex(32), since: Schema.optional(Schema.String.pipe(Schema.pattern(/^\d{1,20}$/))) }),
    result: CreatedAnswer,
    run: ({ domain, since }, view, ctx) =>
      Effect.gen(function* () {
        if (ctx.createdSince === undefined) return yield* Effect.fail(new QueryError({ kind: "bad-request", reason: "this host keeps no frame records" }))
        const scan = ctx.createdSince(bytesOf(domain), since === undefined ? undefined : BigInt(since), CREATED_LIMIT)
        const records: Array<typeof RecordAnswer.Type> = []
        for (const { id } of scan.ids) {
          // Spent markers are created vertices too; only coins and pendings are answered.
          const held = yield* Effect.either(readHeld(view, id, poseidon))
          if (Either.isRight(held)) records.push(recordAnswer(view, id, held.right, poseidon))
        }
        return {
          head: ctx.frameNumber === undefined ? null : String(ctx.frameNumber),
          scannedTo: scan.scannedTo === undefined ? null : String(scan.scannedTo),
          records,
        }
      }),
  }),
  defineQuery({
    name: "fee",
    description:
      "The fee an operation of the given cost basis (decimal raw units) pays alone in a bundle of the next frame: cost × the node's fee multiplier (0 off mainnet until a fee market exists). Pass the token `domain` to ask the worker covering it.",
    // `domain` routes the query to the worker covering the token's shard (runtime/node/query-shard.ts).
    args: Schema.Struct({ cost: Schema.String.pipe(Schema.pattern(/^\d{1,30}$/)), domain: Schema.optional(Hex(32)) }),
    result: FeeAnswer,
    run: ({ cost }, _view, ctx) => {
      if (ctx.feeMultiplier === undefined) return Effect.fail(new QueryError({ kind: "bad-request", reason: "this host executes no bundles" }))
      const multiplier = ctx.feeMultiplier(BigInt(cost))
      return Effect.succeed({ cost, multiplier: String(multiplier), fee: String(BigInt(cost) * multiplier) })
    },
  }),
]
