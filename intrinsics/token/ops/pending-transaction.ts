// Transparent PendingTransaction (0x058C; spec §2.6.2, §11.4): spends coins into pending transfers,
// each with a *to* and a *refund* recipient bundle over one commitment and an expiration frame. The
// write set holds the spent markers too (spec §11.3 #14), so two spends of one coin in one frame
// conflict at proposal time.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  atomId,
  bytesEqual,
  canonicalWriter,
  type OpError,
  decodeCanonical,
  defineOperation,
  type ExecCtx,
  type ReadView,
  vertex,
} from "../../contract/index.ts"
import { type PendingOutput, pendingChallenge } from "../challenge.ts"
import { amountInRange, checkOutputKeys, counts, distinct, invalid, isMarked, opens, outputIsNew, settles, stateError, targetsQuil } from "../checks.ts"
import { decodeCoin } from "../coin.ts"
import { FRAME_2_1_EXTENDED_ENROLL_CONFIRM_END, MAX_INPUTS, MAX_OUTPUTS, POINT_BYTES, SIGNATURE_BYTES, TRANSPARENT_PENDING_TRANSACTION } from "../constants.ts"
import { spentMarkerId } from "../markers.ts"
import { encodePending, type Pending, pendingAddress } from "../pending.ts"
import { signatureParts, verifySpend } from "../schnorr.ts"
import { writeOutputsAndMarkers } from "./apply-spend.ts"
import { memoPerOperation } from "./op-memo.ts"
import { readAmount, readFees, readRecipient, writeAmount, writeFees, writeRecipient } from "./codec.ts"

const OP = TRANSPARENT_PENDING_TRANSACTION

export interface CoinInput {
  readonly address: Uint8Array
  readonly value: bigint
  readonly signature: Uint8Array
}

export interface PendingTransaction {
  readonly domain: Uint8Array
  readonly inputs: ReadonlyArray<CoinInput>
  readonly outputs: ReadonlyArray<PendingOutput>
  readonly fees: ReadonlyArray<bigint>
}

export const outputPending = (o: PendingOutput): Pending => ({
  frameNumber: o.frameNumber,
  commitment: o.commitment,
  to: o.to,
  refund: o.refund,
  expiration: o.expiration,
})

/** Each output pending's address, once per decoded operation (accessSet, validate and apply read it). */
const outputAddresses = memoPerOperation((tx: PendingTransaction, crypto) => tx.outputs.map((o) => pendingAddress(outputPending(o), tx.domain, crypto)))

/** `32 + Σ_out (8 + 56 + 4×56 to + 4×56 refund)` (spec §6.1, no range or traversal proof). */
export const pendingCostOf = (outputs: number): bigint => 32n + BigInt(outputs) * BigInt(8 + POINT_BYTES + 8 * POINT_BYTES)
const pendingCost = (tx: PendingTransaction): bigint => pendingCostOf(tx.outputs.length)

const spenderKey = (input: CoinInput): Uint8Array => signatureParts(input.signature)?.verificationKey ?? new Uint8Array(POINT_BYTES)

/** Each input with its spent marker id, once per decoded operation (accessSet, validate and apply read it). */
const markedInputs = memoPerOperation((tx: PendingTransaction, crypto) =>
  tx.inputs.map((input) => ({ input, marker: spentMarkerId(crypto.poseidon, tx.domain, spenderKey(input)) })),
)

const checkInput = (tx: PendingTransaction, index: number, input: CoinInput, marker: Uint8Array, challenge: Uint8Array, view: ReadView, ctx: ExecCtx) =>
  Effect.gen(function* () {
    yield* amountInRange(OP, `input ${index} value`, input.value)
    const found = view.get(vertex(atomId(tx.domain, input.address)))
    if (found._tag !== "Present") return yield* Effect.fail(stateError(OP, `input ${index}: no coin at this address`))
    const coin = decodeCoin(found.value, tx.domain, ctx.crypto.poseidon)
    if (Either.isLeft(coin)) return yield* Effect.fail(stateError(OP, `input ${index}: ${coin.left.reason}`))
    // Mainnet spends only 2.1 coins this way (spec §2.6.1 Prove step 2); older ones need the legacy path.
    if (ctx.network === 0 && coin.right.frameNumber <= FRAME_2_1_EXTENDED_ENROLL_CONFIRM_END) {
      return yield* Effect.fail(invalid(OP, `input ${index}: a coin of frame ${coin.right.frameNumber} is a legacy coin`))
    }
    const sig = signatureParts(input.signature)
    if (sig === undefined) return yield* Effect.fail(invalid(OP, `input ${index}: a signature is ${SIGNATURE_BYTES} bytes`))
    if (!bytesEqual(sig.verificationKey, coin.right.verificationKey))
      return yield* Effect.fail(invalid(OP, `input ${index}: the signing key is not the coin's`))
    if (!bytesEqual(sig.commitment, coin.right.commitment)) return yield* Effect.fail(invalid(OP, `input ${index}: the signature names another commitment`))
    yield* opens(OP, `input ${index}`, coin.right.commitment, input.value)
    // `marker` is the signing key's (spenderKey is sig.verificationKey once the signature parses).
    if (isMarked(view, marker)) return yield* Effect.fail(stateError(OP, `input ${index}: the coin was already spent`))
    if (!verifySpend(input.signature, challenge)) return yield* Effect.fail(invalid(OP, `input ${index}: the signature does not verify`))
  })

/** The canonical bytes of a PendingTransaction, decoded (total). */
export const decodePendingTransaction = (bytes: Uint8Array): Either.Either<PendingTransaction, OpError> =>
  decodeCanonical(OP, bytes, (r) =>
    Either.gen(function* () {
      const domain = yield* r.fixed("domain", 32)
      const inputs = yield* r.list(
        "inputs",
        (x) =>
          Either.all({ address: x.fixed("input address", 32), value: readAmount(x, "input value"), signature: x.fixed("input signature", SIGNATURE_BYTES) }),
        MAX_INPUTS,
      )
      const outputs = yield* r.list(
        "outputs",
        (x) =>
          Either.all({
            frameNumber: x.u64("output frame number"),
            value: readAmount(x, "output value"),
            commitment: x.fixed("output commitment", POINT_BYTES),
            to: readRecipient(x, "to"),
            refund: readRecipient(x, "refund"),
            expiration: x.u64("expiration"),
          }),
        MAX_OUTPUTS,
      )
      const fees = yield* readFees(r, outputs.length, OP)
      return { domain, inputs, outputs, fees }
    }),
  )

export const pendingTransaction = defineOperation<PendingTransaction>({
  opType: OP,
  name: "pending-transaction",
  encode: (tx) => {
    const w = canonicalWriter(OP).fixed(tx.domain).u32(tx.inputs.length)
    for (const i of tx.inputs) writeAmount(w.fixed(i.address), i.value).fixed(i.signature)
    w.u32(tx.outputs.length)
    for (const o of tx.outputs) writeRecipient(writeRecipient(writeAmount(w.u64(o.frameNumber), o.value).fixed(o.commitment), o.to), o.refund).u64(o.expiration)
    return writeFees(w, tx.fees).finish()
  },
  decode: decodePendingTransaction,
  target: (tx) => tx.domain,
  accessSet: (tx, ctx) => {
    const writes: Array<Uint8Array> = []
    for (const address of outputAddresses(tx, ctx.crypto)) if (Either.isRight(address)) writes.push(atomId(tx.domain, address.right))
    for (const { marker } of markedInputs(tx, ctx.crypto)) writes.push(marker)
    return { reads: tx.inputs.map((i) => atomId(tx.domain, i.address)), writes }
  },
  validate: (tx, view, ctx) =>
    Effect.gen(function* () {
      yield* targetsQuil(OP, tx.domain, ctx)
      yield* counts(OP, tx.inputs.length, tx.outputs.length, true)
      for (const f of tx.fees) yield* amountInRange(OP, "a fee", f)
      yield* distinct(OP, "inputs", tx.inputs.map(spenderKey))
      yield* distinct(
        OP,
        "input addresses",
        tx.inputs.map((i) => i.address),
      )
      // A to key and a refund key may be equal within one output (a transfer to oneself), never across outputs.
      yield* distinct(
        OP,
        "outputs",
        tx.outputs.flatMap((o) =>
          bytesEqual(o.to.verificationKey, o.refund.verificationKey) ? [o.to.verificationKey] : [o.to.verificationKey, o.refund.verificationKey],
        ),
      )
      const challenge = pendingChallenge(tx.domain, tx.outputs)
      for (const [k, { input, marker }] of markedInputs(tx, ctx.crypto).entries()) yield* checkInput(tx, k, input, marker, challenge, view, ctx)
      const addresses = outputAddresses(tx, ctx.crypto)
      for (const [k, o] of tx.outputs.entries()) {
        yield* amountInRange(OP, `output ${k} value`, o.value)
        yield* opens(OP, `output ${k}`, o.commitment, o.value)
        yield* checkOutputKeys(OP, k, o.frameNumber, [o.to, o.refund], tx.domain, view, ctx)
        if (o.expiration <= ctx.frameNumber) return yield* Effect.fail(invalid(OP, `output ${k}: expiration ${o.expiration} is not after the current frame`))
        yield* outputIsNew(OP, k, addresses[k], "the pending transaction", tx.domain, view)
      }
      yield* settles(OP, { inputs: tx.inputs.map((i) => i.value), outputs: tx.outputs.map((o) => o.value), fees: tx.fees }, pendingCost(tx), ctx)
    }),
  apply: (tx, view, ctx) => {
    const addresses = outputAddresses(tx, ctx.crypto)
    return writeOutputsAndMarkers(
      OP,
      view,
      tx.domain,
      tx.outputs.map((o, k) => ({ address: addresses[k], record: encodePending(outputPending(o), tx.domain, ctx.crypto.poseidon) })),
      markedInputs(tx, ctx.crypto).map(({ input, marker }) => ({ address: input.address, marker })),
      { created: "pending-created", spent: "coin-spent" },
    )
  },
  cost: pendingCost,
  producedFees: (tx) => tx.fees,
})
