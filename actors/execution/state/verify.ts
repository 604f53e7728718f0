// Verify (execution spec §3.5) with quilbun's rules for the reference's gaps (§11.3 #22):
//  1. the multiproof is non-empty; 2. per sub-proof len(ys) = len(commits) ≥ 2 and
//     len(paths) = len(commits) − 1, every path a non-empty list of nibbles; 3. commits[0] = root;
//  4. walking down, ys[j] = the next commitment, hashed with 0x01 ‖ u32BE(prefix) when it is a branch;
//  5. one KZG verifyMultiple over every (commit, y, last path nibble), poly size 64 — always, even
//     for a single opening (the reference skips KZG when there is at most one opening [bug?]).
// When the keys are given (one per sub-proof) each is bound too: its nibbles must be the
// concatenated paths, and SHA-512(0x00 ‖ key ‖ ys_last) must be the last commit.
// A sub-proof of one commit (a single-leaf root) has nothing KZG can check; quilbun rejects it.
import { sha512 } from "@noble/hashes/sha2.js"
import { Effect } from "effect"
import type { BlsNativeError } from "../../../crates/ts/bls/errors.ts"
import type { Kzg } from "../../../crates/ts/bls/kzg.ts"
import { ARITY, fullPath } from "./nibbles.ts"
import type { TraversalProof, TraversalSubProof } from "./traversal-proof.ts"
import { bytesEqual } from "../../../intrinsics/contract/index.ts"

const isNibble = (p: bigint): boolean => p >= 0n && p < BigInt(ARITY)

/** SHA-512(0x01 ‖ u32BE(p) for each prefix nibble ‖ commitment): a child branch's slot. */
const branchSlotOf = (prefix: ReadonlyArray<bigint>, commitment: Uint8Array): Uint8Array => {
  const pre = new Uint8Array(1 + 4 * prefix.length)
  const view = new DataView(pre.buffer)
  pre[0] = 1
  for (const [i, p] of prefix.entries()) view.setUint32(1 + 4 * i, Number(p))
  return sha512.create().update(pre).update(commitment).digest()
}

const shapeOk = (sp: TraversalSubProof, root: Uint8Array): boolean => {
  const n = sp.commits.length
  if (n < 2 || sp.ys.length !== n || sp.paths.length !== n - 1) return false
  if (!sp.paths.every((path) => path.length > 0 && path.every(isNibble))) return false
  if (!bytesEqual(sp.commits[0]!, root)) return false
  for (let j = 0; j < n - 1; j++) {
    const next = sp.commits[j + 1]!
    const expected = j + 1 < n - 1 ? branchSlotOf(sp.paths[j + 1]!.slice(0, -1), next) : next
    if (!bytesEqual(sp.ys[j]!, expected)) return false
  }
  return true
}

const keyBound = (sp: TraversalSubProof, key: Uint8Array): boolean => {
  const walked = sp.paths.flat()
  const path = fullPath(key)
  if (walked.length > path.length || !walked.every((p, i) => p === BigInt(path[i]!))) return false
  const leaf = sha512
    .create()
    .update(new Uint8Array([0]))
    .update(key)
    .update(sp.ys[sp.ys.length - 1]!)
    .digest()
  return bytesEqual(leaf, sp.commits[sp.commits.length - 1]!)
}

/** True when the proof opens every sub-proof's path under `root` (and binds `keys`, when given). */
export const verifyTraversalProof = (
  kzg: Kzg,
  root: Uint8Array,
  proof: TraversalProof,
  keys?: ReadonlyArray<Uint8Array>,
): Effect.Effect<boolean, BlsNativeError> => {
  const { multiproof, subProofs } = proof
  if (multiproof.multicommitment.length === 0 || multiproof.proof.length === 0 || subProofs.length === 0) return Effect.succeed(false)
  if (!subProofs.every((sp) => shapeOk(sp, root))) return Effect.succeed(false)
  if (keys !== undefined && (keys.length !== subProofs.length || !subProofs.every((sp, i) => keyBound(sp, keys[i]!)))) return Effect.succeed(false)
  const commits = subProofs.flatMap((sp) => sp.commits.slice(0, -1))
  const ys = subProofs.flatMap((sp) => sp.ys.slice(0, -1))
  const indices = subProofs.flatMap((sp) => sp.paths.map((p) => Number(p[p.length - 1]!)))
  if (ys.some((y) => y.length > 64)) return Effect.succeed(false)
  // Malformed points or sizes are a failed proof, not an error; only a missing library fails.
  return kzg.verifyMultiple(commits, ys, indices, 64, { d: multiproof.multicommitment, proof: multiproof.proof }).pipe(
    Effect.catchTags({
      BlsLengthError: () => Effect.succeed(false),
      BlsEncodingError: () => Effect.succeed(false),
      BlsSubgroupError: () => Effect.succeed(false),
    }),
  )
}
