// TraversalProof and its ToBytes layout (execution spec §3.5):
//   u32 len ‖ multiproof ‖ u32 nSub ‖ per sub-proof:
//     u32 nCommits ‖ (u32 len ‖ commit)* ‖ u32 nYs ‖ (u32 len ‖ y)* ‖ u32 nPaths ‖ (u32 count ‖ u64 BE*)*
// where multiproof = u32 len ‖ multicommitment ‖ u32 len ‖ proof (the reference's Multiproof.ToBytes).
import { Either } from "effect"
import { ByteReader } from "./byte-reader.ts"
import { ByteWriter } from "./byte-writer.ts"
import type { TrieDecodeError } from "./errors.ts"

export interface TraversalSubProof {
  /** The root commitment, each branch's on the way down, then the leaf's commitment. */
  readonly commits: ReadonlyArray<Uint8Array>
  /** The slot opened at each branch, then the leaf's hash target (or value when it has none). */
  readonly ys: ReadonlyArray<Uint8Array>
  /** Per branch: its prefix nibbles then the opened child nibble (the last entry is the KZG index). */
  readonly paths: ReadonlyArray<ReadonlyArray<bigint>>
}

export interface TraversalProof {
  readonly multiproof: { readonly multicommitment: Uint8Array; readonly proof: Uint8Array }
  readonly subProofs: ReadonlyArray<TraversalSubProof>
}

export const traversalProofToBytes = (proof: TraversalProof): Uint8Array => {
  const mp = new ByteWriter()
  mp.bytes32(proof.multiproof.multicommitment)
  mp.bytes32(proof.multiproof.proof)
  const o = new ByteWriter()
  o.bytes32(mp.done())
  o.u32(proof.subProofs.length)
  for (const sp of proof.subProofs) {
    o.u32(sp.commits.length)
    for (const c of sp.commits) o.bytes32(c)
    o.u32(sp.ys.length)
    for (const y of sp.ys) o.bytes32(y)
    o.u32(sp.paths.length)
    for (const path of sp.paths) {
      o.u32(path.length)
      for (const p of path) o.u64(p)
    }
  }
  return o.done()
}

const sizedList = (r: ByteReader): Either.Either<Array<Uint8Array>, TrieDecodeError> =>
  Either.gen(function* () {
    const n = yield* r.length(yield* r.u32(), 4)
    const out: Array<Uint8Array> = []
    for (let i = 0; i < n; i++) out.push(yield* r.take(yield* r.length(yield* r.u32(), 1)))
    return out
  })

/** Total decoder (typed errors, no trailing bytes). Structural checks are left to verify. */
export const traversalProofFromBytes = (bytes: Uint8Array): Either.Either<TraversalProof, TrieDecodeError> => {
  const r = new ByteReader(bytes, "traversal proof")
  return Either.gen(function* () {
    const mpBytes = yield* r.take(yield* r.length(yield* r.u32(), 1))
    const m = new ByteReader(mpBytes, "multiproof")
    const multicommitment = yield* m.take(yield* m.length(yield* m.u32(), 1))
    const proof = yield* m.take(yield* m.length(yield* m.u32(), 1))
    yield* m.end()
    const nSub = yield* r.length(yield* r.u32(), 12)
    const subProofs: Array<TraversalSubProof> = []
    for (let i = 0; i < nSub; i++) {
      const commits = yield* sizedList(r)
      const ys = yield* sizedList(r)
      const nPaths = yield* r.length(yield* r.u32(), 4)
      const paths: Array<Array<bigint>> = []
      for (let j = 0; j < nPaths; j++) {
        const count = yield* r.length(yield* r.u32(), 8)
        const path: Array<bigint> = []
        for (let k = 0; k < count; k++) path.push(yield* r.u64())
        paths.push(path)
      }
      subProofs.push({ commits, ys, paths })
    }
    yield* r.end()
    return { multiproof: { multicommitment, proof }, subProofs }
  })
}
