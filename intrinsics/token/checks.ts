// Checks every token operation shares: the routed domain (spec §11.3 #6), the one instance (QUIL),
// counts and amounts, the fee (§11.3 #37), outputs (frame, opening, fresh keys) and the sum (§11.4
// item 3). Each answers a typed OpError naming the operation.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { atomId, bytesEqual, type ExecCtx, OpError, type ReadView, vertex } from "../contract/index.ts"
import { AMOUNT_LIMIT, MAX_INPUTS, MAX_OUTPUTS, QUIL_TOKEN_ADDRESS } from "./constants.ts"
import { commitValue, decodePoint } from "./decaf.ts"
import { spentMarkerId } from "./markers.ts"

export const invalid = (opType: number, reason: string): OpError => new OpError({ kind: "invalid", opType, reason })
export const stateError = (opType: number, reason: string): OpError => new OpError({ kind: "state", opType, reason })

/** The operation targets the routed domain, and that domain is QUIL (the only instance, D-TOKEN-2). */
export const targetsQuil = (opType: number, domain: Uint8Array, ctx: ExecCtx): Effect.Effect<void, OpError> => {
  if (!bytesEqual(domain, ctx.routedDomain)) return Effect.fail(invalid(opType, "the operation's domain is not the domain it was routed to"))
  return bytesEqual(domain, QUIL_TOKEN_ADDRESS) ? Effect.void : Effect.fail(invalid(opType, "only the QUIL token instance exists"))
}

const paysFee = (opType: number, cost: bigint, ctx: ExecCtx): Effect.Effect<void, OpError> =>
  ctx.feePaid >= cost * ctx.feeMultiplier
    ? Effect.void
    : Effect.fail(new OpError({ kind: "insufficient-fee", opType, reason: `paid ${ctx.feePaid}, needs ${cost} × ${ctx.feeMultiplier}` }))

export const counts = (opType: number, inputs: number, outputs: number, needInputs: boolean): Effect.Effect<void, OpError> => {
  if (needInputs && (inputs < 1 || inputs > MAX_INPUTS)) return Effect.fail(invalid(opType, `${inputs} inputs; 1 to ${MAX_INPUTS}`))
  if (outputs < 1 || outputs > MAX_OUTPUTS) return Effect.fail(invalid(opType, `${outputs} outputs; 1 to ${MAX_OUTPUTS}`))
  return Effect.void
}

export const amountInRange = (opType: number, what: string, n: bigint): Effect.Effect<void, OpError> =>
  n >= 0n && n < AMOUNT_LIMIT ? Effect.void : Effect.fail(invalid(opType, `${what} is not in [0, 2^128)`))

/** A transparent opening: `commitment == value·G` (spec §11.4 items 2–3). */
export const opens = (opType: number, what: string, commitment: Uint8Array, value: bigint): Effect.Effect<void, OpError> =>
  bytesEqual(commitValue(value), commitment) ? Effect.void : Effect.fail(invalid(opType, `${what}: the commitment does not open to its value`))

/** A spent marker exists at `markerId` (an operation's memoised marker id, see ops/op-memo.ts). */
export const isMarked = (view: ReadView, markerId: Uint8Array): boolean => view.get(vertex(markerId))._tag !== "Absent"

export const isSpent = (view: ReadView, domain: Uint8Array, verificationKey: Uint8Array, poseidon: (d: Uint8Array) => Uint8Array): boolean =>
  isMarked(view, spentMarkerId(poseidon, domain, verificationKey))

/**
 * An output's common rules (spec §2.6.1 step 7): proved at an earlier frame, real points for its keys,
 * and fresh verification keys (no marker at `poseidon(VK)`: VKs are never reused).
 */
export const checkOutputKeys = (
  opType: number,
  index: number,
  frameNumber: bigint,
  keys: ReadonlyArray<{ readonly oneTimeKey: Uint8Array; readonly verificationKey: Uint8Array }>,
  domain: Uint8Array,
  view: ReadView,
  ctx: ExecCtx,
): Effect.Effect<void, OpError> => {
  if (!(ctx.frameNumber > frameNumber))
    return Effect.fail(invalid(opType, `output ${index}: frame ${frameNumber} is not before the current frame ${ctx.frameNumber}`))
  for (const k of keys) {
    const vk = decodePoint(k.verificationKey)
    if (decodePoint(k.oneTimeKey) === undefined || vk === undefined || vk.is0())
      return Effect.fail(invalid(opType, `output ${index}: a key is not a Decaf448 point`))
    if (isSpent(view, domain, k.verificationKey, ctx.crypto.poseidon))
      return Effect.fail(stateError(opType, `output ${index}: its verification key was already used`))
  }
  return Effect.void
}

/** No verification key twice among an operation's outputs (two coins could never both be spent). */
export const distinct = (opType: number, what: string, keys: ReadonlyArray<Uint8Array>): Effect.Effect<void, OpError> => {
  const seen = new Set(keys.map((k) => bytesToHex(k)))
  return seen.size === keys.length ? Effect.void : Effect.fail(invalid(opType, `${what} repeat a verification key`))
}

/** `Σ inputs == Σ outputs + Σ fees` over the public values (implies the point sum check, spec §2.5, §11.4 item 3). */
const balances = (opType: number, inputs: ReadonlyArray<bigint>, outputs: ReadonlyArray<bigint>, fees: ReadonlyArray<bigint>): Effect.Effect<void, OpError> => {
  const sum = (xs: ReadonlyArray<bigint>) => xs.reduce((a, b) => a + b, 0n)
  const [i, o, f] = [sum(inputs), sum(outputs), sum(fees)]
  return i === o + f ? Effect.void : Effect.fail(invalid(opType, `inputs ${i} ≠ outputs ${o} + fees ${f}`))
}

/** The validate tail every spend shares: the sum balances, then the fee covers `cost × multiplier`. */
export const settles = (
  opType: number,
  amounts: { readonly inputs: ReadonlyArray<bigint>; readonly outputs: ReadonlyArray<bigint>; readonly fees: ReadonlyArray<bigint> },
  cost: bigint,
  ctx: ExecCtx,
): Effect.Effect<void, OpError> => Effect.zipRight(balances(opType, amounts.inputs, amounts.outputs, amounts.fees), paysFee(opType, cost, ctx))

/** Output `index`'s address is known (KZG available) and nothing is stored there yet. */
export const outputIsNew = (
  opType: number,
  index: number,
  address: Either.Either<Uint8Array, OpError> | undefined,
  what: string,
  domain: Uint8Array,
  view: ReadView,
): Effect.Effect<void, OpError> => {
  if (address === undefined) return Effect.fail(invalid(opType, `output ${index}: no address`))
  if (Either.isLeft(address)) return Effect.fail(invalid(opType, address.left.reason))
  return view.get(vertex(atomId(domain, address.right)))._tag === "Absent" ? Effect.void : Effect.fail(stateError(opType, `output ${index}: ${what} exists`))
}
