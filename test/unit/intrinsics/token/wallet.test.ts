// The QUIL wallet (D-TOKEN-12..14): the key file (created 0600, looser modes refused), amounts, and the
// scanner over the `created` and `record` queries: it indexes exactly what the view key opens, on both
// sides of a pending, follows spends, and its balances count a transfer in flight once.
import { afterAll, describe, expect, test } from "bun:test"
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, IntrinsicCliFailure, type QueryCtx } from "../../../../intrinsics/contract/index.ts"
import { createdCoins, createdPendings, tokenBuilders as b } from "../../../../intrinsics/token/builders.ts"
import { equalParts, parseAccount, pickCoins } from "../../../../intrinsics/token/cli.ts"
import { QUIL_TOKEN_ADDRESS, QUIL_UNITS } from "../../../../intrinsics/token/constants.ts"
import { devnetFaucet } from "../../../../intrinsics/token/ops/devnet-faucet.ts"
import { pendingTransaction } from "../../../../intrinsics/token/ops/pending-transaction.ts"
import { makeTokenQueries } from "../../../../intrinsics/token/queries.ts"
import { feeFor } from "../../../../intrinsics/token/wallet/fees.ts"
import { encodeAccount } from "../../../../intrinsics/token/stealth.ts"
import { formatQuil, parseQuil } from "../../../../intrinsics/token/wallet/amounts.ts"
import { KEY_FILE, loadOrCreateKeys } from "../../../../intrinsics/token/wallet/key-file.ts"
import { syncIndex } from "../../../../intrinsics/token/wallet/scanner.ts"
import { balancesOf, emptyIndex, heldCoin, isReclaimable, loadIndex, saveIndex } from "../../../../intrinsics/token/wallet/wallet-index.ts"
import { alice, aliceAccount, bind, bob, bobAccount, build, carol, ctxAt, entropy, freshFrame, testCrypto } from "./fixtures/token-env.ts"
import { runOpSync } from "../../support/run-op.ts"

const dirs: Array<string> = []
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-wallet-"))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe("wallet key file", () => {
  test("created 0600 on first use, then loaded unchanged", () => {
    const dir = join(tmp(), "wallet")
    const keys = Effect.runSync(loadOrCreateKeys(dir))
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(Effect.runSync(loadOrCreateKeys(dir))).toEqual(keys)
  })

  test("a key file group or others may read is refused, with the chmod to fix it; a garbled one too", () => {
    const dir = tmp()
    Effect.runSync(loadOrCreateKeys(dir))
    chmodSync(join(dir, KEY_FILE), 0o644)
    const loose = Effect.runSync(Effect.either(loadOrCreateKeys(dir)))
    const reason = Either.isLeft(loose) ? loose.left.reason : ""
    expect(reason).toContain("mode 0644")
    expect(reason).toContain(`chmod 600 ${join(dir, KEY_FILE)}`)
    writeFileSync(join(dir, KEY_FILE), "short", { mode: 0o600 })
    chmodSync(join(dir, KEY_FILE), 0o600)
    expect(Effect.runSync(Effect.either(loadOrCreateKeys(dir)))).toMatchObject({ left: { reason: expect.stringContaining("not a wallet key file") } })
  })
})

describe("amounts and accounts", () => {
  test("decimal QUIL in, truncated to raw units; 12 decimals out", () => {
    expect(parseQuil("1.5")).toBe(12_000_000_000n)
    expect(parseQuil(".000000000001")).toBe(0n)
    expect(parseQuil("2")).toBe(2n * QUIL_UNITS)
    expect(parseQuil("1e3")).toBeUndefined()
    expect(parseQuil("-1")).toBeUndefined()
    expect(formatQuil(12_000_000_000n)).toBe("1.500000000000")
    expect(formatQuil(1n)).toBe("0.000000000125")
  })

  test("accounts as viewhex:spendhex or 112 bytes hex", () => {
    const hex = bytesToHex(encodeAccount(aliceAccount))
    expect(parseAccount(`0x${hex}`)).toEqual(aliceAccount)
    expect(parseAccount(`${hex.slice(0, 112)}:${hex.slice(112)}`)).toEqual(aliceAccount)
    expect(parseAccount(hex.slice(2))).toBeUndefined()
  })
})

describe("wallet scanner and index", () => {
  // Frame 2: a faucet coin for alice; frame 10: alice sends bob 3 QUIL (change pending to herself).
  const frame = freshFrame()
  const createdAt: Array<{ frameNumber: bigint; id: Uint8Array }> = []
  const record = (frameNumber: bigint, ids: ReadonlyArray<Uint8Array>) => {
    for (const id of ids) createdAt.push({ frameNumber, id: atomId(QUIL_TOKEN_ADDRESS, id) })
  }
  const faucet = build(b.faucet, { to: aliceAccount, values: [5n * QUIL_UNITS], entropy: entropy(1) })
  runOpSync(frame, bind(devnetFaucet, faucet), ctxAt(2n))
  const [coin] = Either.getOrThrow(createdCoins(faucet, testCrypto))
  if (coin === undefined) throw new Error("no coin")
  record(2n, [coin.address])
  const sent = build(b.transfer, { keys: alice, inputs: [coin], to: bobAccount, amount: 3n * QUIL_UNITS, expiration: 50n, fee: 1_000n, entropy: entropy(2) })
  runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n))
  const pendings = Either.getOrThrow(createdPendings(sent, testCrypto))
  record(
    10n,
    pendings.map((p) => p.address),
  )

  const queries = makeTokenQueries(testCrypto.poseidon)
  const recordQuery = queries.find((q) => q.name === "record")
  const createdQuery = queries.find((q) => q.name === "created")
  let head = 10n
  // The host's createdSince over `createdAt`, whole frames, as the frame store answers it.
  const createdSince: QueryCtx["createdSince"] = (_domain, after, limit) => {
    const ids = createdAt.filter((c) => (after === undefined || c.frameNumber > after) && c.frameNumber <= head)
    const first = ids[0]?.frameNumber
    const page = limit < ids.length && first !== undefined ? ids.filter((c) => c.frameNumber === first) : ids
    return { ids: page, scannedTo: page.at(-1)?.frameNumber ?? after }
  }
  const api = {
    get: (path: string, query?: Readonly<Record<string, string>>) => {
      const q = path === "created" ? createdQuery : path === "record" ? recordQuery : undefined
      if (q === undefined) return Effect.fail(new IntrinsicCliFailure({ reason: `no route ${path}`, usage: false }))
      return Effect.mapError(q.run(query ?? {}, frame, { frameNumber: head, createdSince }), (e) => new IntrinsicCliFailure({ reason: e.reason, usage: false }))
    },
  }
  const sync = (keys: typeof alice, index = emptyIndex(keys)) => Effect.runSync(syncIndex(api, keys, index))

  test("the `fee` query prices cost × the host's multiplier; the wallet pays exactly that", () => {
    const feeQuery = queries.find((q) => q.name === "fee")
    const ask = (args: Record<string, string>, feeMultiplier?: (c: bigint) => bigint) =>
      Effect.runSync(Effect.either(feeQuery?.run(args, frame, { frameNumber: 10n, ...(feeMultiplier ? { feeMultiplier } : {}) }) ?? Effect.die("")))
    expect(ask({ cost: "600" }, (c) => (c === 600n ? 7n : 1n))).toEqual(Either.right({ cost: "600", multiplier: "7", fee: "4200" }))
    expect(ask({ cost: "600" }, () => 0n)).toEqual(Either.right({ cost: "600", multiplier: "0", fee: "0" }))
    expect(ask({ cost: "-1" }, () => 1n)).toMatchObject({ left: { kind: "bad-request" } })
    expect(ask({ cost: "600" })).toMatchObject({ left: { kind: "bad-request" } })
    const priced = (answer: unknown) => ({ get: () => Effect.succeed(answer) })
    expect(Effect.runSync(feeFor(priced({ cost: "600", multiplier: "7", fee: "4200" }), 600n))).toBe(4200n)
    // A node answer that is not cost × multiplier is refused, not paid.
    expect(Effect.runSync(Effect.either(feeFor(priced({ cost: "600", multiplier: "7", fee: "1" }), 600n)))).toMatchObject({ left: { _tag: "WalletError" } })
    expect(Effect.runSync(Effect.either(feeFor(priced({ fee: "x" }), 600n)))).toMatchObject({ left: { _tag: "WalletError" } })
  })

  test("the `created` query answers coins and pendings after `since`, and refuses without frame records", () => {
    const all = Effect.runSync(createdQuery?.run({ domain: bytesToHex(QUIL_TOKEN_ADDRESS) }, frame, { frameNumber: 10n, createdSince }) ?? Effect.die(""))
    expect(all).toMatchObject({ head: "10", scannedTo: "10", records: [{ kind: "coin", spent: true }, { kind: "pending" }, { kind: "pending" }] })
    const later = Effect.runSync(
      createdQuery?.run({ domain: bytesToHex(QUIL_TOKEN_ADDRESS), since: "2" }, frame, { frameNumber: 10n, createdSince }) ?? Effect.die(""),
    )
    expect(later).toMatchObject({ records: [{ kind: "pending" }, { kind: "pending" }] })
    const none = Effect.runSync(Effect.either(createdQuery?.run({ domain: bytesToHex(QUIL_TOKEN_ADDRESS) }, frame, { frameNumber: 10n }) ?? Effect.die("")))
    expect(none).toMatchObject({ left: { kind: "bad-request" } })
  })

  test("each wallet indexes what its view key opens; balances count the transfer once", () => {
    const a = sync(alice)
    expect(a.head).toBe(10n)
    expect(a.index.scannedTo).toBe("10")
    expect(a.index.records.map((r) => r.mine).sort()).toEqual(["both", "coin", "refund"])
    expect(balancesOf(a.index)).toEqual({ coins: 0n, pendingIn: 2n * QUIL_UNITS - 1_000n, pendingOut: 3n * QUIL_UNITS })
    const bo = sync(bob)
    expect(bo.index.records.map((r) => [r.kind, r.mine, r.value])).toEqual([["pending", "to", String(3n * QUIL_UNITS)]])
    expect(balancesOf(bo.index)).toEqual({ coins: 0n, pendingIn: 3n * QUIL_UNITS, pendingOut: 0n })
    expect(sync(carol).index.records).toEqual([])
    const outgoing = a.index.records.find((r) => r.mine === "refund")
    expect(outgoing !== undefined && isReclaimable(outgoing, 49n)).toBe(false)
    expect(outgoing !== undefined && isReclaimable(outgoing, 50n)).toBe(true)
  })

  test("an index held before a spend learns it on the next sync; a later sync scans only new frames", () => {
    head = 2n
    const before = sync(alice)
    expect(before.index.records.map((r) => [r.kind, r.record.spent])).toEqual([
      ["coin", true], // the view already holds the spend; scanned to head 2 only
    ])
    head = 10n
    const after = sync(alice, before.index)
    expect(after.index.scannedTo).toBe("10")
    expect(after.index.records).toHaveLength(3)
    expect(heldCoin(after.index.records[0] ?? before.index.records[0]!).address).toEqual(coin.address)
  })

  test("the index survives a save and load; another wallet's keys load an empty index", () => {
    const dir = tmp()
    const a = sync(alice)
    Effect.runSync(saveIndex(dir, a.index))
    expect(Effect.runSync(loadIndex(dir, alice))).toEqual(a.index)
    expect(Effect.runSync(loadIndex(dir, bob))).toEqual(emptyIndex(bob))
    writeFileSync(join(dir, "index.json"), "{}")
    expect(Effect.runSync(Effect.either(loadIndex(dir, alice)))).toMatchObject({ left: { reason: expect.stringContaining("token rescan") } })
  })

  test("coin picking: an exact coin first, else the smallest that covers, else the largest together", () => {
    const coinOf = (value: bigint, n: number) => ({
      ...sync(alice).index.records[0]!,
      value: String(value),
      record: { ...sync(alice).index.records[0]!.record, id: String(n) },
    })
    const coins = [coinOf(5n, 1), coinOf(3n, 2), coinOf(8n, 3)]
    expect(pickCoins(coins, 3n)?.map((c) => c.record.id)).toEqual(["2"])
    expect(pickCoins(coins, 4n)?.map((c) => c.record.id)).toEqual(["1"])
    expect(pickCoins(coins, 12n)?.map((c) => c.record.id)).toEqual(["3", "1"])
    expect(pickCoins(coins, 17n)).toBeUndefined()
  })

  test("split -p: equal parts, the remainder of the division on the last, summing to the total", () => {
    expect(equalParts(10n, 3)).toEqual([3n, 3n, 4n])
    expect(equalParts(12n, 4)).toEqual([3n, 3n, 3n, 3n])
    const total = 2n * QUIL_UNITS - 1n
    const parts = equalParts(total, 7)
    expect(parts).toHaveLength(7)
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(total)
    expect(new Set(parts.slice(0, 6)).size).toBe(1)
    expect((parts[6] ?? 0n) - (parts[0] ?? 0n)).toBe(total % 7n)
  })
})
