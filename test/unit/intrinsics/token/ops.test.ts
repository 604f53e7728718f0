// validate and apply of the token operations through the real overlays (actors/execution/overlay)
// with the access-set assertion on: transfers conserve value; a double spend in one proposal is
// excluded by the locks and across frames fails validation; bad signatures, short fees, early
// reclaims and expired pendings fail with typed errors and change nothing.
import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { encodeBundle } from "../../../../actors/execution/index.ts"
import { selectForProposal } from "../../../../actors/execution/locks.ts"
import { FrameOverlay, MemoryCommitted } from "../../../../actors/execution/overlay/index.ts"
import { atomId, loadIntrinsics, type OpError, vertex } from "../../../../intrinsics/contract/index.ts"
import { createdCoins, createdPendings, type HeldCoin, type HeldPending, tokenBuilders as b } from "../../../../intrinsics/token/builders.ts"
import {
  QUIL_TOKEN_ADDRESS,
  QUIL_UNITS,
  REFERENCE_MINT_TRANSACTION,
  REFERENCE_PENDING_TRANSACTION,
  REFERENCE_TRANSACTION,
} from "../../../../intrinsics/token/constants.ts"
import { makeTokenIntrinsic } from "../../../../intrinsics/token/index.ts"
import { spentMarkerId } from "../../../../intrinsics/token/markers.ts"
import { devnetFaucet } from "../../../../intrinsics/token/ops/devnet-faucet.ts"
import { decodePendingTransaction, pendingTransaction } from "../../../../intrinsics/token/ops/pending-transaction.ts"
import { transaction } from "../../../../intrinsics/token/ops/transaction.ts"
import { recoverOutput, type WalletKeys } from "../../../../intrinsics/token/stealth.ts"
import { pendingChallenge } from "../../../../intrinsics/token/challenge.ts"
import { commitValue } from "../../../../intrinsics/token/decaf.ts"
import { signSpend } from "../../../../intrinsics/token/schnorr.ts"
import { alice, aliceAccount, bind, bob, bobAccount, build, buildEnv, carol, ctxAt, entropy, freshFrame, testCrypto } from "./fixtures/token-env.ts"
import { runOpSync } from "../../support/run-op.ts"

const FEE = 2_000n
const ok = (r: ReturnType<typeof runOpSync>) => {
  if (Either.isLeft(r)) throw new Error(`expected success: ${r.left.message}`)
  return r.right
}
const opError = (r: ReturnType<typeof runOpSync>): OpError => {
  if (Either.isRight(r)) throw new Error("expected a failure")
  if (r.left._tag !== "OpError") throw new Error(`expected an OpError, got ${r.left._tag}: ${r.left.message}`)
  return r.left
}

/** Faucet coins for alice (10 and 5 QUIL) applied in `frame`; answers the held coins. */
const fund = (frame: FrameOverlay, wallet = aliceAccount, values = [10n * QUIL_UNITS, 5n * QUIL_UNITS], seed = 1): Array<HeldCoin> => {
  const bytes = build(b.faucet, { to: wallet, values, entropy: entropy(seed) })
  ok(runOpSync(frame, bind(devnetFaucet, bytes), ctxAt(2n)))
  return Either.getOrThrow(createdCoins(bytes, testCrypto))
}

const transferBytes = (inputs: ReadonlyArray<HeldCoin>, amount: bigint, opts: { expiration?: bigint; fee?: bigint; seed?: number; keys?: WalletKeys } = {}) =>
  build(b.transfer, {
    keys: opts.keys ?? alice,
    inputs,
    to: bobAccount,
    amount,
    expiration: opts.expiration ?? 100n,
    fee: opts.fee ?? FEE,
    entropy: entropy(opts.seed ?? 2),
  })

/** The balance a wallet can open among held records, skipping spent ones as the view reports them. */
const openedValue = (keys: WalletKeys, p: HeldPending): bigint => recoverOutput(keys, p.pending.to)?.value ?? recoverOutput(keys, p.pending.refund)?.value ?? 0n

const snapshot = (frame: FrameOverlay) => frame.changes().map((c) => `${c.ref.kind}:${Buffer.from(c.ref.id).toString("hex")}:${c.next._tag}`)

describe("transfers conserve value", () => {
  test("coin → pending (to bob, change to alice) → accepted coin: Σ in = Σ out + fees at each step", () => {
    const frame = freshFrame()
    const [ten] = fund(frame)
    if (ten === undefined) throw new Error("no coin")
    const sent = transferBytes([ten], 3n * QUIL_UNITS)
    const events = ok(runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n)))
    expect(events.map((e) => e.kind)).toEqual(["pending-created", "pending-created", "coin-spent"])
    const [toBob, change] = Either.getOrThrow(createdPendings(sent, testCrypto))
    if (toBob === undefined || change === undefined) throw new Error("no pendings")
    expect(openedValue(bob, toBob)).toBe(3n * QUIL_UNITS)
    expect(openedValue(alice, change)).toBe(7n * QUIL_UNITS - FEE)
    expect(openedValue(alice, toBob)).toBe(3n * QUIL_UNITS) // alice is the refund party
    expect(frame.get(vertex(atomId(QUIL_TOKEN_ADDRESS, toBob.address)))._tag).toBe("Present")

    const accepted = build(b.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(3) })
    ok(runOpSync(frame, bind(transaction, accepted), ctxAt(11n)))
    const [coin] = Either.getOrThrow(createdCoins(accepted, testCrypto))
    expect(coin && recoverOutput(bob, coin.coin)?.value).toBe(3n * QUIL_UNITS - FEE)
    expect(frame.get(vertex(atomId(QUIL_TOKEN_ADDRESS, coin?.address ?? new Uint8Array(32))))._tag).toBe("Present")
  })

  test("split and merge (two-step for QUIL): pending to self → n coins; k pendings → one coin", () => {
    const frame = freshFrame()
    const coins = fund(frame)
    const toSelf = build(b.transfer, {
      keys: alice,
      inputs: coins,
      to: aliceAccount,
      amount: 15n * QUIL_UNITS - FEE,
      expiration: 50n,
      fee: FEE,
      entropy: entropy(4),
    })
    ok(runOpSync(frame, bind(pendingTransaction, toSelf), ctxAt(10n)))
    const [pending] = Either.getOrThrow(createdPendings(toSelf, testCrypto))
    if (pending === undefined) throw new Error("no pending")
    const split = build(b.split, { keys: alice, input: pending, amounts: [QUIL_UNITS, 2n * QUIL_UNITS, 3n * QUIL_UNITS], fee: FEE, entropy: entropy(5) })
    ok(runOpSync(frame, bind(transaction, split), ctxAt(11n)))
    const parts = Either.getOrThrow(createdCoins(split, testCrypto))
    // three parts and the remainder to self
    expect(parts.map((p) => recoverOutput(alice, p.coin)?.value)).toEqual([QUIL_UNITS, 2n * QUIL_UNITS, 3n * QUIL_UNITS, 9n * QUIL_UNITS - 2n * FEE])

    const gather = build(b.transfer, {
      keys: alice,
      inputs: parts,
      to: aliceAccount,
      amount: 15n * QUIL_UNITS - 3n * FEE,
      expiration: 60n,
      fee: FEE,
      entropy: entropy(6),
    })
    ok(runOpSync(frame, bind(pendingTransaction, gather), ctxAt(12n)))
    const [merged] = Either.getOrThrow(createdPendings(gather, testCrypto))
    if (merged === undefined) throw new Error("no merged pending")
    const merge = build(b.merge, { keys: alice, inputs: [merged], fee: FEE, entropy: entropy(7) })
    ok(runOpSync(frame, bind(transaction, merge), ctxAt(13n)))
    const [one] = Either.getOrThrow(createdCoins(merge, testCrypto))
    expect(one && recoverOutput(alice, one.coin)?.value).toBe(15n * QUIL_UNITS - 4n * FEE)
  })

  test("outputs that do not add up are refused (inflation)", () => {
    const frame = freshFrame()
    const [ten] = fund(frame)
    if (ten === undefined) throw new Error("no coin")
    const good = Either.getOrThrow(pendingTransaction.decode(transferBytes([ten], 3n * QUIL_UNITS)))
    // A larger claimed input value does not open the coin's commitment.
    const tx = Either.getOrThrow(decodePendingTransaction(good.bytes))
    const inflated = pendingTransaction.encode({ ...tx, inputs: tx.inputs.map((i) => ({ ...i, value: i.value + 1n })) })
    const before = snapshot(frame)
    expect(opError(runOpSync(frame, bind(pendingTransaction, inflated), ctxAt(10n))).reason).toContain("does not open")
    // A correctly signed operation whose first output claims one unit more than the inputs hold.
    const [first, ...rest] = tx.outputs
    if (first === undefined) throw new Error("no output")
    const outputs = [{ ...first, value: first.value + 1n, commitment: commitValue(first.value + 1n) }, ...rest]
    const secret = recoverOutput(alice, ten.coin)?.secret ?? 0n
    const resigned = pendingTransaction.encode({
      ...tx,
      outputs,
      inputs: tx.inputs.map((i) => ({ ...i, signature: signSpend(secret, ten.coin.commitment, pendingChallenge(QUIL_TOKEN_ADDRESS, outputs)) })),
    })
    const e = opError(runOpSync(frame, bind(pendingTransaction, resigned), ctxAt(10n)))
    expect(e.kind).toBe("invalid")
    expect(e.reason).toContain("≠ outputs")
    expect(snapshot(frame)).toEqual(before)
  })
})

describe("output addresses", () => {
  test("each output's address (a KZG commit) is computed once per decoded operation across accessSet, validate and apply", () => {
    const frame = freshFrame()
    const [coin] = fund(frame)
    let commits = 0
    const counting = {
      ...testCrypto,
      kzgCommit: (e: Uint8Array, n: number) => {
        commits++
        return testCrypto.kzgCommit?.(e, n) ?? new Uint8Array(74)
      },
    }
    const op = bind(pendingTransaction, transferBytes([coin as HeldCoin], QUIL_UNITS))
    ok(runOpSync(frame, op, ctxAt(10n, { crypto: counting })))
    expect(commits).toBe(2) // the pending to bob and the change
    // Another crypto object is not trusted with the memo: it recomputes.
    op.accessSet({ frameNumber: 10n, routedDomain: QUIL_TOKEN_ADDRESS, crypto: { ...counting } })
    expect(commits).toBe(4)
  })
})

describe("spent markers", () => {
  /** testCrypto counting Poseidon calls over exactly `key` (a spent marker id is `domain ‖ poseidon(VK)`). */
  const countingOver = (keys: ReadonlyArray<Uint8Array>) => {
    const counts = keys.map(() => 0)
    const crypto = {
      ...testCrypto,
      poseidon: (d: Uint8Array) => {
        for (const [k, key] of keys.entries()) if (Buffer.from(d).equals(Buffer.from(key))) counts[k] = (counts[k] ?? 0) + 1
        return testCrypto.poseidon(d)
      },
    }
    return { crypto, counts }
  }

  test("each input's marker id is hashed once per decoded operation across accessSet, validate and apply (coin → pending)", () => {
    const frame = freshFrame()
    const [coin] = fund(frame)
    if (coin === undefined) throw new Error("no coin")
    const op = bind(pendingTransaction, transferBytes([coin], QUIL_UNITS))
    const { crypto, counts } = countingOver([coin.coin.verificationKey])
    ok(runOpSync(frame, op, ctxAt(10n, { crypto })))
    expect(counts).toEqual([1])
    expect(frame.get(vertex(spentMarkerId(testCrypto.poseidon, QUIL_TOKEN_ADDRESS, coin.coin.verificationKey)))._tag).toBe("Present")
  })

  test("both parties' marker ids are hashed once per decoded operation (pending → coin)", () => {
    const frame = freshFrame()
    const [coin] = fund(frame)
    if (coin === undefined) throw new Error("no coin")
    const sent = transferBytes([coin], QUIL_UNITS)
    ok(runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n)))
    const [toBob] = Either.getOrThrow(createdPendings(sent, testCrypto))
    if (toBob === undefined) throw new Error("no pending")
    const op = bind(transaction, build(b.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(21) }))
    const { crypto, counts } = countingOver([toBob.pending.to.verificationKey, toBob.pending.refund.verificationKey])
    ok(runOpSync(frame, op, ctxAt(11n, { crypto })))
    expect(counts).toEqual([1, 1])
    expect(frame.get(vertex(spentMarkerId(testCrypto.poseidon, QUIL_TOKEN_ADDRESS, toBob.pending.to.verificationKey)))._tag).toBe("Present")
  })
})

describe("double spends", () => {
  test("two spends of one coin in one proposal: the locks keep only the first", () => {
    const committed = new MemoryCommitted()
    const frame = new FrameOverlay(committed, { checkAccess: true })
    const [ten] = fund(frame)
    if (ten === undefined) throw new Error("no coin")
    committed.commit(frame.changes())
    const registry = Either.getOrThrow(loadIntrinsics([makeTokenIntrinsic(testCrypto.poseidon)]))
    const config = { registry, network: 99, crypto: testCrypto, typeTagOf: () => undefined }
    const bundle = (op: Uint8Array, t: bigint) => encodeBundle({ domain: QUIL_TOKEN_ADDRESS, requests: [op], timestamp: t })
    const first = bundle(transferBytes([ten], QUIL_UNITS, { seed: 8 }), 1n)
    const second = bundle(transferBytes([ten], 2n * QUIL_UNITS, { seed: 9 }), 2n)
    const other = bundle(build(b.faucet, { to: bobAccount, values: [1n], entropy: entropy(10) }), 3n)
    const chosen = selectForProposal(config, [first, second, other], 10n, new FrameOverlay(committed))
    expect(chosen.refused).toEqual([])
    expect(chosen.selected).toEqual([0, 2])
  })

  test("an accept and a reclaim of one pending conflict at the locks (both markers and the pending are locked)", () => {
    const frame = freshFrame()
    const [ten] = fund(frame)
    if (ten === undefined) throw new Error("no coin")
    const sent = transferBytes([ten], QUIL_UNITS, { expiration: 20n })
    ok(runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n)))
    const [toBob] = Either.getOrThrow(createdPendings(sent, testCrypto))
    if (toBob === undefined) throw new Error("no pending")
    const accept = bind(transaction, build(b.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(11) }))
    const reclaim = bind(transaction, build(b.reclaim, { keys: alice, inputs: [toBob], fee: FEE, entropy: entropy(12) }))
    const lock = { frameNumber: 30n, routedDomain: QUIL_TOKEN_ADDRESS, crypto: testCrypto }
    const hex = (ids: ReadonlyArray<Uint8Array>) => new Set(ids.map((i) => Buffer.from(i).toString("hex")))
    const a = hex(accept.accessSet(lock).writes)
    const shared = [...hex(reclaim.accessSet(lock).writes)].filter((w) => a.has(w))
    expect(shared).toContain(Buffer.from(atomId(QUIL_TOKEN_ADDRESS, toBob.address)).toString("hex"))
    // Had both slipped through, the second fails validation in the same frame.
    ok(runOpSync(frame, accept, ctxAt(30n)))
    expect(opError(runOpSync(frame, reclaim, ctxAt(30n))).kind).toBe("state")
  })

  test("a spend of a coin spent in an earlier frame fails validation and changes nothing", () => {
    const committed = new MemoryCommitted()
    let frame = new FrameOverlay(committed, { checkAccess: true })
    const [ten] = fund(frame)
    if (ten === undefined) throw new Error("no coin")
    ok(runOpSync(frame, bind(pendingTransaction, transferBytes([ten], QUIL_UNITS, { seed: 13 })), ctxAt(10n)))
    committed.commit(frame.changes())
    frame = new FrameOverlay(committed, { checkAccess: true })
    const again = runOpSync(frame, bind(pendingTransaction, transferBytes([ten], QUIL_UNITS, { seed: 14 })), ctxAt(11n))
    const e = opError(again)
    expect(e.kind).toBe("state")
    expect(e.reason).toContain("already spent")
    expect(frame.changes()).toEqual([])
  })
})

describe("refusals are typed and change nothing", () => {
  const setup = () => {
    const frame = freshFrame()
    const [ten] = fund(frame)
    if (ten === undefined) throw new Error("no coin")
    return { frame, ten }
  }

  test("a tampered signature; a wallet that does not own the coin", () => {
    const { frame, ten } = setup()
    const before = snapshot(frame)
    // A flipped byte of s; and carol cannot even build a spend of alice's coin.
    const forged = Either.getOrThrow(decodePendingTransaction(transferBytes([ten], QUIL_UNITS)))
    const sig = forged.inputs[0]?.signature.slice() ?? new Uint8Array()
    sig[10] = (sig[10] ?? 0) ^ 1
    const tampered = pendingTransaction.encode({ ...forged, inputs: forged.inputs.map((i) => ({ ...i, signature: sig })) })
    const e = opError(runOpSync(frame, bind(pendingTransaction, tampered), ctxAt(10n)))
    expect(e.kind).toBe("invalid")
    expect(e.reason).toContain("signature does not verify")
    const refused = Effect.runSync(
      Effect.either(b.transfer.build({ keys: carol, inputs: [ten], to: bobAccount, amount: 1n, expiration: 100n, fee: FEE, entropy: entropy(1) }, buildEnv)),
    )
    expect(Either.isLeft(refused) && refused.left.reason).toContain("not this wallet's")
    expect(snapshot(frame)).toEqual(before)
  })

  test("a fee below cost × multiplier", () => {
    const { frame, ten } = setup()
    const before = snapshot(frame)
    const op = bind(pendingTransaction, transferBytes([ten], QUIL_UNITS, { fee: 100n }))
    const e = opError(runOpSync(frame, op, ctxAt(10n, { feePaid: 100n, feeMultiplier: 3n })))
    expect(e.kind).toBe("insufficient-fee")
    expect(e.reason).toContain(`needs ${op.cost()} × 3`)
    expect(snapshot(frame)).toEqual(before)
  })

  test("a zero multiplier (a devnet without a fee market) accepts a zero fee", () => {
    const { frame, ten } = setup()
    const op = bind(pendingTransaction, transferBytes([ten], QUIL_UNITS, { fee: 0n }))
    ok(runOpSync(frame, op, ctxAt(10n, { feePaid: 0n, feeMultiplier: 0n })))
  })

  test("a reclaim before expiration; a pending that expires at once", () => {
    const { frame, ten } = setup()
    const sent = transferBytes([ten], QUIL_UNITS, { expiration: 20n })
    ok(runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n)))
    const [toBob] = Either.getOrThrow(createdPendings(sent, testCrypto))
    if (toBob === undefined) throw new Error("no pending")
    const before = snapshot(frame)
    const early = bind(transaction, build(b.reclaim, { keys: alice, inputs: [toBob], fee: FEE, entropy: entropy(15) }))
    const e = opError(runOpSync(frame, early, ctxAt(19n)))
    expect(e.kind).toBe("invalid")
    expect(e.reason).toContain("not expired")
    expect(snapshot(frame)).toEqual(before)
    ok(runOpSync(frame, early, ctxAt(20n)))
    // after the reclaim the to side is dead
    const late = bind(transaction, build(b.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(16) }))
    expect(opError(runOpSync(frame, late, ctxAt(21n))).reason).toContain("already spent")

    const { frame: f2, ten: t2 } = setup()
    const expired = opError(runOpSync(f2, bind(pendingTransaction, transferBytes([t2], QUIL_UNITS, { expiration: 10n })), ctxAt(10n)))
    expect(expired.kind).toBe("invalid")
    expect(expired.reason).toContain("expiration")
  })

  test("the to party may still accept after expiration (until the refund party reclaims)", () => {
    const { frame, ten } = setup()
    const sent = transferBytes([ten], QUIL_UNITS, { expiration: 20n })
    ok(runOpSync(frame, bind(pendingTransaction, sent), ctxAt(10n)))
    const [toBob] = Either.getOrThrow(createdPendings(sent, testCrypto))
    if (toBob === undefined) throw new Error("no pending")
    ok(runOpSync(frame, bind(transaction, build(b.accept, { keys: bob, inputs: [toBob], fee: FEE, entropy: entropy(18) })), ctxAt(25n)))
    const reclaim = bind(transaction, build(b.reclaim, { keys: alice, inputs: [toBob], fee: FEE, entropy: entropy(19) }))
    expect(opError(runOpSync(frame, reclaim, ctxAt(26n))).reason).toContain("already spent")
  })

  test("wrong domain, mainnet faucet, outputs from the current frame", () => {
    const { frame, ten } = setup()
    const op = bind(pendingTransaction, transferBytes([ten], QUIL_UNITS))
    expect(opError(runOpSync(frame, op, ctxAt(10n, { routedDomain: new Uint8Array(32) }))).reason).toContain("routed")
    const faucet = bind(devnetFaucet, build(b.faucet, { to: aliceAccount, values: [1n], entropy: entropy(17) }))
    expect(opError(runOpSync(frame, faucet, ctxAt(10n, { network: 0 }))).reason).toContain("mainnet")
    expect(opError(runOpSync(frame, faucet, ctxAt(1n))).reason).toContain("not before the current frame")
  })
})

describe("manifest", () => {
  test("QUIL is a fixed instance; the reference's confidential prefixes stay unclaimed", () => {
    const registry = Either.getOrThrow(loadIntrinsics([makeTokenIntrinsic(testCrypto.poseidon)]))
    expect(registry.byDomain(QUIL_TOKEN_ADDRESS)?.manifest.name).toBe("token")
    for (const t of [REFERENCE_TRANSACTION, REFERENCE_PENDING_TRANSACTION, REFERENCE_MINT_TRANSACTION]) expect(registry.ownerOf(t)).toBeUndefined()
    expect(Either.isLeft(registry.decode(Uint8Array.of(0x00, 0x00, 0x05, 0x09)))).toBe(true)
  })
})
