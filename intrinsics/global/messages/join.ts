// `ProverJoin` (0x0301, execution.md §5.1): filters, the global frame the VDF multiproof is bound to, the
// BLS key with its signature and proof of possession, an optional reward delegate, seniority merge
// targets and one 516-byte multiproof per filter. Canonical layout (the reference's):
//   u32 0x0301 ‖ u32 n ‖ (u32 len ‖ filter)×n ‖ u64 frame ‖ u32 len ‖ SignatureWithPop (0 = absent)
//   ‖ u32 len ‖ delegate ‖ u32 m ‖ (u32 len ‖ SeniorityMerge)×m ‖ u32 len ‖ proof
import * as Either from "effect/Either"
import { canonicalWriter, decodeCanonical, type OpError } from "../../contract/index.ts"
import { ADDRESS_BYTES, MAX_FILTER_BYTES, MAX_FILTERS, MAX_MERGE_TARGETS, PROVER_JOIN, VDF_PROOF_BYTES } from "../constants.ts"
import { decodeMergeTarget, decodeSignatureWithPop, encodeMergeTarget, encodeSignatureWithPop, type MergeTarget, type SignatureWithPop } from "../signatures.ts"

export interface ProverJoin {
  readonly _tag: "ProverJoin"
  readonly filters: ReadonlyArray<Uint8Array>
  /** The global frame whose output seeds the VDF challenge; also the join frame recorded. */
  readonly frameNumber: bigint
  /** Absent only in the bytes the signature covers (§8.3: the join is signed with this field nil). */
  readonly signature: SignatureWithPop | undefined
  /** 32 bytes, or empty for "the prover itself". */
  readonly delegateAddress: Uint8Array
  readonly mergeTargets: ReadonlyArray<MergeTarget>
  /** `516 × filters` bytes: worker i's multiproof blob for filter i. */
  readonly proof: Uint8Array
}

/** The reference's bounds: a PoP signature message ≤ 753 bytes, a merge target ≤ 675, the proof ≤ 100 blobs. */
const MAX_SIGNATURE_MESSAGE = 753
const MAX_MERGE_TARGET_MESSAGE = 675
const MAX_PROOF_BYTES = MAX_FILTERS * VDF_PROOF_BYTES

export const encodeProverJoin = (op: ProverJoin): Uint8Array => {
  const w = canonicalWriter(PROVER_JOIN).u32(op.filters.length)
  for (const f of op.filters) w.bytes(f)
  w.u64(op.frameNumber)
  w.bytes(op.signature === undefined ? new Uint8Array() : encodeSignatureWithPop(op.signature))
  w.bytes(op.delegateAddress)
  w.u32(op.mergeTargets.length)
  for (const m of op.mergeTargets) w.bytes(encodeMergeTarget(m))
  return w.bytes(op.proof).finish()
}

export const decodeProverJoin = (bytes: Uint8Array): Either.Either<ProverJoin, OpError> =>
  decodeCanonical(PROVER_JOIN, bytes, (r) =>
    Either.gen(function* () {
      const filters = yield* r.list("filters", (e, i) => e.bytes(`filters[${i}]`, MAX_FILTER_BYTES), MAX_FILTERS)
      const frameNumber = yield* r.u64("frame_number")
      const sigBytes = yield* r.bytes("public_key_signature_bls48581", MAX_SIGNATURE_MESSAGE)
      const signature = sigBytes.length === 0 ? undefined : yield* decodeSignatureWithPop(sigBytes)
      const delegateAddress = yield* r.bytes("delegate_address", ADDRESS_BYTES)
      const mergeTargets = yield* r.list(
        "merge_targets",
        (e, i) => Either.flatMap(e.bytes(`merge_targets[${i}]`, MAX_MERGE_TARGET_MESSAGE), decodeMergeTarget),
        MAX_MERGE_TARGETS,
      )
      const proof = yield* r.bytes("proof", MAX_PROOF_BYTES)
      return { _tag: "ProverJoin" as const, filters, frameNumber, signature, delegateAddress, mergeTargets, proof }
    }),
  )

/** What the join's BLS signature covers: the canonical join with the signature field absent (§8.3). */
export const proverJoinSignedBytes = (op: ProverJoin): Uint8Array => encodeProverJoin({ ...op, signature: undefined })

/** The VDF multiproof ids of §4.6: `proverAddress ‖ filter_i ‖ u32_be(i)`. */
export const joinProofIds = (proverAddress: Uint8Array, filters: ReadonlyArray<Uint8Array>): Array<Uint8Array> =>
  filters.map((f, i) => idOf(proverAddress, f, i))

const idOf = (address: Uint8Array, filter: Uint8Array, index: number): Uint8Array => {
  const id = new Uint8Array(address.length + filter.length + 4)
  id.set(address, 0)
  id.set(filter, address.length)
  new DataView(id.buffer).setUint32(address.length + filter.length, index, false)
  return id
}
