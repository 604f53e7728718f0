// Transparent Transaction (0x0589; spec §2.6.1, §11.4): spends pending transfers into coins. For QUIL
// (Acceptable) every input is a pending; its *to* party spends it at any time (accept, and the
// reference's reject, D-TOKEN-4), its *refund* party from its expiration frame on (reclaim). Split and
// merge are shapes of it (one input → n outputs, k inputs → one output).
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
import { type Coin, coinAddress, encodeCoin } from "../coin.ts"
import { transactionChallenge } from "../challenge.ts"
import { amountInRange, checkOutputKeys, counts, distinct, invalid, isMarked, opens, outputIsNew, settles, stateError, targetsQuil } from "../checks.ts"
import { MAX_INPUTS, MAX_OUTPUTS, POINT_BYTES, SIGNATURE_BYTES, TRANSPARENT_TRANSACTION } from "../constants.ts"
import { spentMarkerId } from "../markers.ts"
import { decodePending, type Pending } from "../pending.ts"
import { signatureParts, verifySpend } from "../schnorr.ts"
import { writeOutputsAndMarkers } from "./apply-spend.ts"
import { memoPerOperation } from "./op-memo.ts"
import { type CoinOutput, readAmount, readCoinOutput, readFees, writeAmount, writeCoinOutput, writeFees } from "./codec.ts"

const OP = TRANSPARENT_TRANSACTION

/** A pending spent by one party; `otherVerificationKey` is the other party's, so locks need no state (spec §11.2). */
export interface PendingInput {
  readonly address: Uint8Array
  readonly value: bigint
  readonly signature: Uint8Array
  readonly otherVerificationKey: Uint8Array
}

export interface Transaction {
  readonly domain: Uint8Array
  readonly inputs: ReadonlyArray<PendingInput>
  readonly outputs: ReadonlyArray<CoinOutput>
  /** One per output; zero fees are not queued (spec §6.3). */
  readonly fees: ReadonlyArray<bigint>
}

export const outputCoin = (o: CoinOutput): Coin => ({
  frameNumber: o.frameNumber,
  commitment: o.commitment,
  oneTimeKey: o.recipient.oneTimeKey,
  verificationKey: o.recipient.verificationKey,
  coinBalance: o.recipient.coinBalance,
  mask: o.recipient.mask,
})

/** Each output coin's address, once per decoded operation (accessSet, validate and apply read it). */
const outputAddresses = memoPerOperation((tx: Transaction, crypto) => tx.outputs.map((o) => coinAddress(outputCoin(o), tx.domain, crypto)))

/** `32 + Σ_out (8 + 5 × 56)`: the reference's Transaction cost without range and traversal proofs (spec §6.1). */
export const transactionCostOf = (outputs: number): bigint => 32n + BigInt(outputs) * BigInt(8 + 5 * POINT_BYTES)
const transactionCost = (tx: Transaction): bigint => transactionCostOf(tx.outputs.length)

const spenderKey = (input: PendingInput): Uint8Array => signatureParts(input.signature)?.verificationKey ?? new Uint8Array(POINT_BYTES)

/** Each input with both parties' spent marker ids, once per decoded operation (accessSet, validate and apply read them). */
const markedInputs = memoPerOperation((tx: Transaction, crypto) =>
  tx.inputs.map((input) => ({
    input,
    marker: spentMarkerId(crypto.poseidon, tx.domain, spenderKey(input)),
    otherMarker: spentMarkerId(crypto.poseidon, tx.domain, input.otherVerificationKey),
  })),
)

/** Which side of the pending the signature's VK is; undefined when neither. */
const roleOf = (pending: Pending, input: PendingInput): "to" | "refund" | undefined => {
  const vk = spenderKey(input)
  if (bytesEqual(vk, pending.to.verificationKey) && bytesEqual(input.otherVerificationKey, pending.refund.verificationKey)) return "to"
  if (bytesEqual(vk, pending.refund.verificationKey) && bytesEqual(input.otherVerificationKey, pending.to.verificationKey)) return "refund"
  return undefined
}

const checkInput = (
  tx: Transaction,
  index: number,
  { input, marker, otherMarker }: { readonly input: PendingInput; readonly marker: Uint8Array; readonly otherMarker: Uint8Array },
  challenge: Uint8Array,
  view: ReadView,
  ctx: ExecCtx,
) =>
  Effect.gen(function* () {
    const poseidon = ctx.crypto.poseidon
    yield* amountInRange(OP, `input ${index} value`, input.value)
    const found = view.get(vertex(atomId(tx.domain, input.address)))
    if (found._tag !== "Present") return yield* Effect.fail(stateError(OP, `input ${index}: no pending transaction at this address`))
    const pending = decodePending(found.value, tx.domain, poseidon)
    if (Either.isLeft(pending)) return yield* Effect.fail(stateError(OP, `input ${index}: ${pending.left.reason}`))
    const sig = signatureParts(input.signature)
    if (sig === undefined) return yield* Effect.fail(invalid(OP, `input ${index}: a signature is ${SIGNATURE_BYTES} bytes`))
    if (!bytesEqual(sig.commitment, pending.right.commitment)) return yield* Effect.fail(invalid(OP, `input ${index}: the signature names another commitment`))
    yield* opens(OP, `input ${index}`, pending.right.commitment, input.value)
    const role = roleOf(pending.right, input)
    if (role === undefined) return yield* Effect.fail(invalid(OP, `input ${index}: the signing key is neither party of the pending transaction`))
    if (role === "refund" && ctx.frameNumber < pending.right.expiration) {
      return yield* Effect.fail(invalid(OP, `input ${index}: not expired (a refund needs frame ≥ ${pending.right.expiration})`))
    }
    // Either side spending kills the pending: both markers must be absent (spec §2.6.1 step 5, §11.3 #20).
    // `marker` is the signing key's (spenderKey is sig.verificationKey once the signature parses).
    if (isMarked(view, marker) || isMarked(view, otherMarker)) {
      return yield* Effect.fail(stateError(OP, `input ${index}: the pending transaction was already spent`))
    }
    if (!verifySpend(input.signature, challenge)) return yield* Effect.fail(invalid(OP, `input ${index}: the signature does not verify`))
  })

/** The canonical bytes of a Transaction, decoded (total). */
export const decodeTransaction = (bytes: Uint8Array): Either.Either<Transaction, OpError> =>
  decodeCanonical(OP, bytes, (r) =>
    Either.gen(function* () {
      const domain = yield* r.fixed("domain", 32)
      const inputs = yield* r.list(
        "inputs",
        (x) =>
          Either.all({
            address: x.fixed("input address", 32),
            value: readAmount(x, "input value"),
            signature: x.fixed("input signature", SIGNATURE_BYTES),
            otherVerificationKey: x.fixed("input other verification key", POINT_BYTES),
          }),
        MAX_INPUTS,
      )
      const outputs = yield* r.list("outputs", readCoinOutput, MAX_OUTPUTS)
      const fees = yield* readFees(r, outputs.length, OP)
      return { domain, inputs, outputs, fees }
    }),
  )

export const transaction = defineOperation<Transaction>({
  opType: OP,
  name: "transaction",
  encode: (tx) => {
    const w = canonicalWriter(OP).fixed(tx.domain).u32(tx.inputs.length)
    for (const i of tx.inputs) writeAmount(w.fixed(i.address), i.value).fixed(i.signature).fixed(i.otherVerificationKey)
    w.u32(tx.outputs.length)
    for (const o of tx.outputs) writeCoinOutput(w, o)
    return writeFees(w, tx.fees).finish()
  },
  decode: decodeTransaction,
  target: (tx) => tx.domain,
  accessSet: (tx, ctx) => {
    const writes: Array<Uint8Array> = []
    // Without KZG an address is unknown; validate fails the operation for the same reason.
    for (const address of outputAddresses(tx, ctx.crypto)) if (Either.isRight(address)) writes.push(atomId(tx.domain, address.right))
    for (const { input, marker, otherMarker } of markedInputs(tx, ctx.crypto)) {
      // The pending itself and both parties' markers: an accept and a reclaim of one pending conflict (spec §11.2).
      writes.push(atomId(tx.domain, input.address))
      writes.push(marker)
      writes.push(otherMarker)
    }
    return { reads: [], writes }
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
      yield* distinct(
        OP,
        "outputs",
        tx.outputs.map((o) => o.recipient.verificationKey),
      )
      const challenge = transactionChallenge(tx.domain, tx.outputs)
      for (const [k, marked] of markedInputs(tx, ctx.crypto).entries()) yield* checkInput(tx, k, marked, challenge, view, ctx)
      const addresses = outputAddresses(tx, ctx.crypto)
      for (const [k, o] of tx.outputs.entries()) {
        yield* amountInRange(OP, `output ${k} value`, o.value)
        yield* opens(OP, `output ${k}`, o.commitment, o.value)
        yield* checkOutputKeys(OP, k, o.frameNumber, [o.recipient], tx.domain, view, ctx)
        yield* outputIsNew(OP, k, addresses[k], "the coin", tx.domain, view)
      }
      yield* settles(OP, { inputs: tx.inputs.map((i) => i.value), outputs: tx.outputs.map((o) => o.value), fees: tx.fees }, transactionCost(tx), ctx)
    }),
  apply: (tx, view, ctx) => {
    const addresses = outputAddresses(tx, ctx.crypto)
    return writeOutputsAndMarkers(
      OP,
      view,
      tx.domain,
      tx.outputs.map((o, k) => ({ address: addresses[k], record: encodeCoin(outputCoin(o), tx.domain, ctx.crypto.poseidon) })),
      markedInputs(tx, ctx.crypto).map(({ input, marker }) => ({ address: input.address, marker })),
      { created: "coin-created", spent: "pending-spent" },
    )
  },
  cost: transactionCost,
  producedFees: (tx) => tx.fees,
})
