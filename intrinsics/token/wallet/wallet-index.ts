// The wallet's local index (spec §11.5; D-TOKEN-13): every coin and pending the view key opens, with its
// side(s), unmasked value and spent flag, and the last frame scanned. Client state, not consensus
// state: `token rescan` rebuilds it from frame 0. Kept as JSON in `<walletDir>/index.json`.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { HeldCoin, HeldPending } from "../builders.ts"
import { RecordAnswer } from "../queries.ts"
import { accountOf, encodeAccount, type RecipientOutput, scanOutput, type WalletKeys } from "../stealth.ts"
import { mulBase } from "../decaf.ts"
import { WalletError } from "./errors.ts"

const INDEX_FILE = "index.json"

export const IndexedRecord = Schema.Struct({
  kind: Schema.Literal("coin", "pending"),
  /** Which sides the wallet owns: a coin's recipient, a pending's to, refund, or both (change to oneself). */
  mine: Schema.Literal("coin", "to", "refund", "both"),
  value: Schema.String,
  record: RecordAnswer,
})
export type IndexedRecord = typeof IndexedRecord.Type

export const WalletIndex = Schema.Struct({
  version: Schema.Literal(1),
  /** The account (V ‖ S hex) the index was built for: another key file means a rescan. */
  account: Schema.String,
  scannedTo: Schema.NullOr(Schema.String),
  records: Schema.Array(IndexedRecord),
})
export type WalletIndex = typeof WalletIndex.Type

const accountHex = (keys: WalletKeys): string => bytesToHex(encodeAccount(accountOf(keys)))

export const emptyIndex = (keys: WalletKeys): WalletIndex => ({ version: 1, account: accountHex(keys), scannedTo: null, records: [] })

type Answer = typeof RecordAnswer.Type

const outputOf = (side: Answer["to"]): RecipientOutput => ({
  oneTimeKey: hexToBytes(side.oneTimeKey),
  verificationKey: hexToBytes(side.verificationKey),
  coinBalance: hexToBytes(side.coinBalance),
  mask: hexToBytes(side.mask),
})

/** The scanner's trial decryption: which sides of `record` the view key opens, and the value; undefined when none. */
const classify = (keys: WalletKeys, record: Answer): IndexedRecord | undefined => {
  const S = mulBase(keys.spendSecret)
  const to = scanOutput(keys.viewSecret, S, outputOf(record.to))
  if (record.kind === "coin") return to === undefined ? undefined : { kind: "coin", mine: "coin", value: String(to.value), record }
  const refund = record.refund === undefined ? undefined : scanOutput(keys.viewSecret, S, outputOf(record.refund))
  const value = to?.value ?? refund?.value
  if (value === undefined) return undefined
  return { kind: "pending", mine: to !== undefined && refund !== undefined ? "both" : to !== undefined ? "to" : "refund", value: String(value), record }
}

/** Adds newly scanned records (replacing an id already held: a rescan sees the same records again). */
export const withScanned = (index: WalletIndex, keys: WalletKeys, records: ReadonlyArray<Answer>, scannedTo: string | null): WalletIndex => {
  const byId = new Map(index.records.map((r) => [r.record.id, r]))
  for (const record of records) {
    const owned = classify(keys, record)
    if (owned !== undefined) byId.set(record.id, owned)
  }
  return { ...index, scannedTo, records: [...byId.values()] }
}

/** The index with `id`'s spent flag set as the node reports it. */
export const withSpent = (index: WalletIndex, id: string, spent: boolean): WalletIndex => ({
  ...index,
  records: index.records.map((r) => (r.record.id === id ? { ...r, record: { ...r.record, spent } } : r)),
})

export const isIncoming = (r: IndexedRecord): boolean => r.kind === "pending" && (r.mine === "to" || r.mine === "both")
export const isOutgoing = (r: IndexedRecord): boolean => r.kind === "pending" && r.mine === "refund"
/** An outgoing pending its refund party may spend: head frame ≥ expiration (spec §2.6.3). */
export const isReclaimable = (r: IndexedRecord, head: bigint | undefined): boolean =>
  isOutgoing(r) && head !== undefined && r.record.expiration !== undefined && head >= BigInt(r.record.expiration)

export interface Balances {
  /** Unspent coins. */
  readonly coins: bigint
  /** Unspent pendings the wallet may accept (sent to it, or change to itself). */
  readonly pendingIn: bigint
  /** Unspent pendings it sent to others (reclaimable after expiration). */
  readonly pendingOut: bigint
}

export const balancesOf = (index: WalletIndex): Balances => {
  let coins = 0n
  let pendingIn = 0n
  let pendingOut = 0n
  for (const r of index.records) {
    if (r.record.spent) continue
    const v = BigInt(r.value)
    if (r.kind === "coin") coins += v
    else if (isIncoming(r)) pendingIn += v
    else pendingOut += v
  }
  return { coins, pendingIn, pendingOut }
}

/** The data address is the id's second half (an atom id is domain ‖ address). */
const addressOf = (id: string): Uint8Array => hexToBytes(id).subarray(32)

export const heldCoin = (r: IndexedRecord): HeldCoin => ({
  address: addressOf(r.record.id),
  coin: { frameNumber: BigInt(r.record.frameNumber), commitment: hexToBytes(r.record.commitment), ...outputOf(r.record.to) },
})

export const heldPending = (r: IndexedRecord): HeldPending => ({
  address: addressOf(r.record.id),
  pending: {
    frameNumber: BigInt(r.record.frameNumber),
    commitment: hexToBytes(r.record.commitment),
    to: outputOf(r.record.to),
    refund: outputOf(r.record.refund ?? r.record.to),
    expiration: BigInt(r.record.expiration ?? "0"),
  },
})

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const decodeIndex = Schema.decodeUnknown(Schema.parseJson(WalletIndex))
const encodeIndex = Schema.encode(Schema.parseJson(WalletIndex, { space: 1 }))

/** The stored index, or an empty one when there is none or it was built for other keys. */
export const loadIndex = (dir: string, keys: WalletKeys): Effect.Effect<WalletIndex, WalletError> =>
  Effect.gen(function* () {
    const path = join(dir, INDEX_FILE)
    if (!existsSync(path)) return emptyIndex(keys)
    const text = yield* Effect.try({ try: () => readFileSync(path, "utf8"), catch: (e) => new WalletError({ reason: `cannot read ${path}: ${message(e)}` }) })
    const index = yield* Effect.mapError(decodeIndex(text), () => new WalletError({ reason: `${path} is not a wallet index; run \`token rescan\`` }))
    return index.account === accountHex(keys) ? index : emptyIndex(keys)
  })

/** Written to a temporary file and renamed, so a crash leaves the old index or the new one. */
export const saveIndex = (dir: string, index: WalletIndex): Effect.Effect<void, WalletError> =>
  Effect.gen(function* () {
    const path = join(dir, INDEX_FILE)
    const text = yield* Effect.orDie(encodeIndex(index))
    yield* Effect.try({
      try: () => {
        writeFileSync(`${path}.tmp`, text, { mode: 0o600 })
        renameSync(`${path}.tmp`, path)
      },
      catch: (e) => new WalletError({ reason: `cannot write ${path}: ${message(e)}` }),
    })
  })
