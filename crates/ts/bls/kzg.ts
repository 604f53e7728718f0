// KZG commitments on the embedded BLS48-581 ceremony SRS: data is 64-byte big-endian evaluations
// (zero-padded) over the roots of unity of a 16..256 domain; commitments and proofs are 74-byte
// G1 points; multiproofs use SHA3-512 Fiat–Shamir (as the reference).
import { Effect } from "effect"
import { BlsLengthError, BlsNativeError, type BlsError } from "./errors.ts"
import { concatBytes as concat, nullIfEmpty as buf, packLengthPrefixed as packItems } from "../native.ts"
import { G1_BYTES, loadNativeBls, packIndices } from "./native.ts"
import { produced, verdict } from "./status.ts"

export const POLY_SIZES: ReadonlyArray<number> = [16, 32, 64, 128, 256]
export const BYTES_PER_SCALAR = 64

interface Multiproof {
  /** Commitment to the combined quotient polynomial. */
  readonly d: Uint8Array
  readonly proof: Uint8Array
}

export interface Kzg {
  readonly commit: (data: Uint8Array, polySize: number) => Effect.Effect<Uint8Array, BlsError>
  readonly prove: (data: Uint8Array, index: number, polySize: number) => Effect.Effect<Uint8Array, BlsError>
  /** `evaluation` is the 64-byte chunk at `index`. */
  readonly verify: (evaluation: Uint8Array, commitment: Uint8Array, index: number, proof: Uint8Array, polySize: number) => Effect.Effect<boolean, BlsError>
  readonly proveMultiple: (
    commitments: ReadonlyArray<Uint8Array>,
    polys: ReadonlyArray<Uint8Array>,
    indices: ReadonlyArray<number>,
    polySize: number,
  ) => Effect.Effect<Multiproof, BlsError>
  /**
   * The commitment after changing slots `indices` from `oldSlots` to `newSlots` (64 bytes each), from
   * the commitment of the old vector: C + Σ (new − old)·L_i. Equal byte for byte to a fresh commit of
   * the new vector, at a cost linear in the number of changed slots. Indices distinct, < polySize.
   */
  readonly updateCommitment: (
    commitment: Uint8Array,
    indices: ReadonlyArray<number>,
    oldSlots: ReadonlyArray<Uint8Array>,
    newSlots: ReadonlyArray<Uint8Array>,
    polySize: number,
  ) => Effect.Effect<Uint8Array, BlsError>
  readonly verifyMultiple: (
    commitments: ReadonlyArray<Uint8Array>,
    evaluations: ReadonlyArray<Uint8Array>,
    indices: ReadonlyArray<number>,
    polySize: number,
    proof: Multiproof,
  ) => Effect.Effect<boolean, BlsError>
}

const checkSize = (polySize: number, what: string): Effect.Effect<void, BlsLengthError> =>
  POLY_SIZES.includes(polySize)
    ? Effect.void
    : Effect.fail(new BlsLengthError({ reason: `${what}: poly size must be one of ${POLY_SIZES.join(", ")}, got ${polySize}` }))

const checkIndices = (indices: ReadonlyArray<number>, polySize: number, what: string): Effect.Effect<void, BlsLengthError> =>
  indices.every((i) => Number.isInteger(i) && i >= 0 && i < polySize)
    ? Effect.void
    : Effect.fail(new BlsLengthError({ reason: `${what}: indices must be integers in [0, ${polySize})` }))

export const makeKzg = (): Effect.Effect<Kzg, BlsNativeError> => {
  const opened = loadNativeBls()
  if ("unavailable" in opened) return Effect.fail(new BlsNativeError({ reason: opened.unavailable }))
  const lib = opened.lib
  const impl: Kzg = {
    commit: (data, polySize) =>
      Effect.gen(function* () {
        yield* checkSize(polySize, "commit")
        const out = new Uint8Array(G1_BYTES)
        return yield* produced(lib.quil_kzg_commit(buf(data), data.length, BigInt(polySize), out, out.length), "commit", () => out)
      }),
    prove: (data, index, polySize) =>
      Effect.gen(function* () {
        yield* checkSize(polySize, "prove")
        yield* checkIndices([index], polySize, "prove")
        const out = new Uint8Array(G1_BYTES)
        const s = lib.quil_kzg_prove(buf(data), data.length, BigInt(index), BigInt(polySize), out, out.length)
        return yield* produced(s, "prove", () => out)
      }),
    verify: (evaluation, commitment, index, proof, polySize) =>
      Effect.gen(function* () {
        yield* checkSize(polySize, "verify")
        yield* checkIndices([index], polySize, "verify")
        const s = lib.quil_kzg_verify(
          buf(evaluation),
          evaluation.length,
          buf(commitment),
          commitment.length,
          BigInt(index),
          buf(proof),
          proof.length,
          BigInt(polySize),
        )
        return yield* verdict(s, "verify")
      }),
    proveMultiple: (commitments, polys, indices, polySize) =>
      Effect.gen(function* () {
        yield* checkSize(polySize, "proveMultiple")
        yield* checkIndices(indices, polySize, "proveMultiple")
        if (commitments.length === 0 || commitments.length !== polys.length || polys.length !== indices.length) {
          return yield* Effect.fail(new BlsLengthError({ reason: "proveMultiple: commitments, polys and indices must have the same non-zero length" }))
        }
        const c = concat(commitments)
        const p = packItems(polys)
        const i = packIndices(indices)
        const d = new Uint8Array(G1_BYTES)
        const proof = new Uint8Array(G1_BYTES)
        const s = lib.quil_kzg_prove_multiple(buf(c), c.length, buf(p), p.length, buf(i), i.length, BigInt(polySize), d, d.length, proof, proof.length)
        return yield* produced(s, "proveMultiple", () => ({ d, proof }))
      }),
    updateCommitment: (commitment, indices, oldSlots, newSlots, polySize) =>
      Effect.gen(function* () {
        yield* checkSize(polySize, "updateCommitment")
        yield* checkIndices(indices, polySize, "updateCommitment")
        const slotsOk = (xs: ReadonlyArray<Uint8Array>): boolean => xs.every((x) => x.length === BYTES_PER_SCALAR)
        if (
          indices.length === 0 ||
          oldSlots.length !== indices.length ||
          newSlots.length !== indices.length ||
          !slotsOk(oldSlots) ||
          !slotsOk(newSlots) ||
          new Set(indices).size !== indices.length
        ) {
          return yield* Effect.fail(new BlsLengthError({ reason: "updateCommitment: distinct indices with one 64-byte old and new slot each (non-empty)" }))
        }
        const i = packIndices(indices)
        const o = concat(oldSlots)
        const nw = concat(newSlots)
        const out = new Uint8Array(G1_BYTES)
        const s = lib.quil_kzg_update_commitment(
          buf(commitment),
          commitment.length,
          buf(i),
          i.length,
          buf(o),
          o.length,
          buf(nw),
          nw.length,
          BigInt(polySize),
          out,
          out.length,
        )
        return yield* produced(s, "updateCommitment", () => out)
      }),
    verifyMultiple: (commitments, evaluations, indices, polySize, proof) =>
      Effect.gen(function* () {
        yield* checkSize(polySize, "verifyMultiple")
        yield* checkIndices(indices, polySize, "verifyMultiple")
        if (commitments.length === 0 || commitments.length !== evaluations.length || evaluations.length !== indices.length) {
          return yield* Effect.fail(new BlsLengthError({ reason: "verifyMultiple: commitments, evaluations and indices must have the same non-zero length" }))
        }
        const c = concat(commitments)
        const e = packItems(evaluations)
        const i = packIndices(indices)
        const s = lib.quil_kzg_verify_multiple(
          buf(c),
          c.length,
          buf(e),
          e.length,
          buf(i),
          i.length,
          BigInt(polySize),
          buf(proof.d),
          proof.d.length,
          buf(proof.proof),
          proof.proof.length,
        )
        return yield* verdict(s, "verifyMultiple")
      }),
  }
  return Effect.succeed(impl)
}
