// The token's queries over a frame overlay: `record` (public fields, spent) and `balance` (what a view
// key opens; a pending counts for its recipient, and for its sender only once reclaimable).
import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId } from "../../../../intrinsics/contract/index.ts"
import { createdCoins, createdPendings, tokenBuilders as b } from "../../../../intrinsics/token/builders.ts"
import { QUIL_TOKEN_ADDRESS, QUIL_UNITS } from "../../../../intrinsics/token/constants.ts"
import { scalarToBytes } from "../../../../intrinsics/token/decaf.ts"
import { devnetFaucet } from "../../../../intrinsics/token/ops/devnet-faucet.ts"
import { pendingTransaction } from "../../../../intrinsics/token/ops/pending-transaction.ts"
import { makeTokenQueries } from "../../../../intrinsics/token/queries.ts"
import { accountOf, type WalletKeys } from "../../../../intrinsics/token/stealth.ts"
import { alice, aliceAccount, bind, bob, bobAccount, build, ctxAt, entropy, freshFrame, testCrypto } from "./fixtures/token-env.ts"
import { runOpSync } from "../../support/run-op.ts"

const [record, balance] = makeTokenQueries(testCrypto.poseidon)
const id = (address: Uint8Array) => bytesToHex(atomId(QUIL_TOKEN_ADDRESS, address))
const keysOf = (k: WalletKeys) => ({ viewKey: bytesToHex(scalarToBytes(k.viewSecret)), spendKey: bytesToHex(accountOf(k).spend) })

describe("token queries", () => {
  const frame = freshFrame()
  const faucet = build(b.faucet, { to: aliceAccount, values: [4n * QUIL_UNITS], entropy: entropy(1) })
  runOpSync(frame, bind(devnetFaucet, faucet), ctxAt(2n))
  const [coin] = Either.getOrThrow(createdCoins(faucet, testCrypto))
  if (coin === undefined) throw new Error("no coin")
  const sent = build(b.transfer, {
    keys: alice,
    inputs: [coin],
    to: bobAccount,
    amount: 4n * QUIL_UNITS - 1_000n,
    expiration: 50n,
    fee: 1_000n,
    entropy: entropy(2),
  })
  runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n))
  const [pending] = Either.getOrThrow(createdPendings(sent, testCrypto))
  if (pending === undefined) throw new Error("no pending")
  const ids = [id(coin.address), id(pending.address)].join(",")
  const run = (q: typeof record, args: Record<string, string>, frameNumber?: bigint) =>
    Effect.runSync(Effect.either(q?.run(args, frame, { frameNumber }) ?? Effect.die("no query")))

  test("record: a spent coin and a live pending with both sides; an absent id is not-found", () => {
    expect(run(record, { id: id(coin.address) })).toMatchObject({ right: { kind: "coin", spent: true, frameNumber: "1" } })
    expect(run(record, { id: id(pending.address) })).toMatchObject({ right: { kind: "pending", spent: false, expiration: "50" } })
    expect(run(record, { id: "ab".repeat(64) })).toMatchObject({ left: { kind: "not-found" } })
    expect(run(record, { id: "zz" })).toMatchObject({ left: { kind: "bad-request" } })
  })

  test("balance: the recipient counts the pending; the sender only from its expiration frame on", () => {
    const amount = String(4n * QUIL_UNITS - 1_000n)
    expect(run(balance, { ids, ...keysOf(bob) }, 20n)).toMatchObject({ right: { total: amount, records: [{ side: "to" }] } })
    expect(run(balance, { ids, ...keysOf(alice) }, 20n)).toMatchObject({ right: { total: "0", records: [] } })
    expect(run(balance, { ids: `${ids},${ids}`, ...keysOf(alice) }, 50n)).toMatchObject({ right: { total: amount, records: [{ side: "refund" }] } })
    expect(run(balance, { ids, viewKey: "ff".repeat(56), spendKey: keysOf(bob).spendKey })).toMatchObject({ left: { kind: "bad-request" } })
  })
})
