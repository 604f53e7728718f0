import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import { concatBytes } from "./canonical/writer.ts"
import {
  BadAddress,
  BadAggregatePublicKey,
  BadBitmask,
  BadCommitments,
  BadDifficulty,
  BadFrameNumber,
  BadMultiproof,
  BadOutput,
  BadParent,
  BadParentSelector,
  BadProver,
  BadProverTreeCommitment,
  BadRank,
  BadRequestsRoot,
  BadSignature,
  BadSignatureEncoding,
  BadStateRoots,
  BadTimestamp,
  BadVdf,
  type FrameRejection,
  MissingSignature,
} from "./frame-rejection.ts"
import type { AppFrameHeader } from "./messages/app-frame-header.ts"
import { bytesEqual } from "./messages/fields.ts"
import type { GlobalFrameHeader } from "./messages/global-frame-header.ts"
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, type BLS48581AggregateSignature } from "./messages/signatures.ts"
import { type ActiveProver, bitmaskSigners, meetsQuorum, quorumThreshold } from "./prover-ring.ts"
import { BlsVerifier, FrameVdf, Poseidon } from "../../../crates/ts/services.ts"
import { makeVoteMessage, voteDomain } from "./signed-messages.ts"
import { bitmaskIndices } from "./signer-bitmask.ts"
import { appChallenge, globalChallenge, multiproofChallenge } from "./vdf-challenge.ts"

/**
 * Frame header validation: every check of consensus.md §10.1 / §10.2, preceded by the header `Validate`
 * rules of §1.1 / §1.2 (which the reference runs on consensus paths), plus parent linkage (§1.3, §1.9)
 * when the caller knows the parent. Checks run in a fixed order and the first failure is returned.
 * The leader check is not here: it belongs to HotStuff proposal validation (§10.3).
 */

export const VDF_OUTPUT_BYTES = 516
const SELECTOR_BYTES = 32
export const GLOBAL_COMMITMENT_COUNT = 256
const APP_STATE_ROOT_COUNT = 4
const COMMITMENT_SIZES = [64, 74]
const is64or74 = (b: Uint8Array): boolean => COMMITMENT_SIZES.includes(b.length)

interface ValidatedFrame<H> {
  readonly header: H
  /** poseidon(header.output). */
  readonly selector: Uint8Array
  /** Set bitmask indices (the signers), empty for genesis or unsigned app frames. */
  readonly signerIndices: ReadonlyArray<number>
}

export interface GlobalFrameValidationInput {
  readonly header: GlobalFrameHeader
  /** `GetActiveProvers(nil)`, sorted by address. */
  readonly activeProvers: ReadonlyArray<ActiveProver>
  /** When known: the header must extend it (frame number, selector, rank). */
  readonly parent?: GlobalFrameHeader
  /**
   * Also BLS-verify the aggregate over the vote message (`VerifyGlobalHeaderSignature`, §1.4). The
   * reference validator leaves this to QC verification; followers that receive certified frames without
   * their QC should turn it on.
   */
  readonly verifyAggregateSignature?: boolean
  /** Also require the signers' seniority to reach the quorum threshold (§3.9). */
  readonly requireQuorum?: boolean
}

const fail = <E extends FrameRejection>(e: E) => Effect.fail(e)

const checkLinkage = (
  child: { readonly frameNumber: bigint; readonly rank: bigint; readonly parentSelector: Uint8Array },
  parent: { readonly frameNumber: bigint; readonly rank: bigint; readonly output: Uint8Array },
  frameNumberRule: "exactly-next" | "later",
) =>
  Effect.gen(function* () {
    const poseidon = yield* Poseidon
    if (frameNumberRule === "exactly-next" ? child.frameNumber !== parent.frameNumber + 1n : child.frameNumber <= parent.frameNumber) {
      return yield* fail(new BadFrameNumber({ detail: `frame ${child.frameNumber} does not follow parent frame ${parent.frameNumber} (${frameNumberRule})` }))
    }
    if (parent.output.length === 0) return yield* fail(new BadParent({ detail: "parent has no output" }))
    const expected = poseidon(parent.output)
    if (!bytesEqual(expected, child.parentSelector)) {
      return yield* fail(new BadParent({ detail: `parent_selector ${bytesToHex(child.parentSelector)} ≠ poseidon(parent.output) ${bytesToHex(expected)}` }))
    }
    if (child.rank < parent.rank + 1n) {
      return yield* fail(new BadRank({ detail: `rank ${child.rank} < parent rank ${parent.rank} + 1` }))
    }
  })

const verifyVdf = (challenge: Uint8Array, difficulty: number, output: Uint8Array) =>
  Effect.gen(function* () {
    const vdf = yield* FrameVdf
    const ok = yield* vdf.verify(challenge, difficulty, output).pipe(Effect.mapError((e) => new BadVdf({ detail: `verifier failed: ${e.reason}` })))
    if (!ok) return yield* fail(new BadVdf({ detail: `proof does not verify at difficulty ${difficulty}` }))
  })

/** Bitmask → signers, then the header's key must equal the aggregate of their keys (§10.1 step 6, §10.2 step 4). */
const checkSigners = (
  sig: BLS48581AggregateSignature,
  publicKey: Uint8Array,
  activeProvers: ReadonlyArray<ActiveProver>,
  filter: Uint8Array,
  requireQuorum: boolean,
) =>
  Effect.gen(function* () {
    const bls = yield* BlsVerifier
    const selected = bitmaskSigners(activeProvers, sig.bitmask)
    if (selected._tag === "BitmaskTooShort") {
      return yield* fail(new BadBitmask({ detail: `bitmask ${selected.length} bytes, committee needs ${selected.required}` }))
    }
    if (selected._tag === "BitmaskIndexOutOfRange") {
      return yield* fail(new BadBitmask({ detail: `bit ${selected.index} set but only ${selected.committeeSize} active provers` }))
    }
    if (selected.signers.length === 0) return yield* fail(new BadBitmask({ detail: "no signer bits set" }))
    if (requireQuorum) {
      const threshold = quorumThreshold(filter, activeProvers)
      if (!meetsQuorum(selected.weight, selected.signers.length, threshold)) {
        return yield* fail(new BadBitmask({ detail: `signer weight ${selected.weight} below quorum threshold ${threshold}` }))
      }
    }
    const aggregate = yield* bls
      .aggregatePublicKeys(selected.signers.map((p) => p.publicKey))
      .pipe(Effect.mapError((e) => new BadAggregatePublicKey({ detail: `aggregation failed: ${e.reason}` })))
    if (!bytesEqual(aggregate, publicKey)) {
      return yield* fail(new BadAggregatePublicKey({ detail: "header public key ≠ aggregate of bitmask-selected provers" }))
    }
    return bitmaskIndices(sig.bitmask)
  })

export const validateGlobalFrame = (input: GlobalFrameValidationInput) =>
  Effect.gen(function* () {
    const h = input.header
    const poseidon = yield* Poseidon
    // GlobalFrameHeader.Validate (§1.1)
    if (h.timestamp === 0n) return yield* fail(new BadTimestamp({ detail: "timestamp is 0" }))
    if (h.difficulty === 0) return yield* fail(new BadDifficulty({ detail: "difficulty is 0" }))
    if (h.output.length !== VDF_OUTPUT_BYTES) return yield* fail(new BadOutput({ detail: `output is ${h.output.length} bytes, want 516` }))
    if (h.parentSelector.length !== SELECTOR_BYTES) {
      return yield* fail(new BadParentSelector({ detail: `parent_selector is ${h.parentSelector.length} bytes, want 32` }))
    }
    if (h.globalCommitments.length !== GLOBAL_COMMITMENT_COUNT) {
      return yield* fail(new BadCommitments({ detail: `${h.globalCommitments.length} commitments, want 256` }))
    }
    const badCommitment = h.globalCommitments.findIndex((c) => !is64or74(c))
    if (badCommitment >= 0) return yield* fail(new BadCommitments({ detail: `commitment ${badCommitment} is not 64 or 74 bytes` }))
    if (!is64or74(h.proverTreeCommitment)) {
      return yield* fail(new BadProverTreeCommitment({ detail: `${h.proverTreeCommitment.length} bytes, want 64 or 74` }))
    }
    const sig = h.publicKeySignatureBls48581
    if (sig === undefined) return yield* fail(new MissingSignature({ detail: "no signature block" }))

    const selector = poseidon(h.output)
    // §10.1 step 3: frame 0 (genesis) is valid without further checks.
    if (h.frameNumber === 0n) return { header: h, selector, signerIndices: [] } satisfies ValidatedFrame<GlobalFrameHeader>

    // §1.1 sizes the reference leaves to the prover; quilbun checks them on every non-genesis header.
    if (!is64or74(h.requestsRoot)) return yield* fail(new BadRequestsRoot({ detail: `${h.requestsRoot.length} bytes, want 64 or 74` }))
    if (h.prover.length !== 32) return yield* fail(new BadProver({ detail: `prover is ${h.prover.length} bytes, want 32` }))

    // §10.1 steps 4–5.1
    if (sig.publicKey === undefined) return yield* fail(new MissingSignature({ detail: "signature block has no public key" }))
    if (sig.publicKey.length !== BLS_PUBLIC_KEY_BYTES || sig.signature.length !== BLS_SIGNATURE_BYTES) {
      return yield* fail(new BadSignatureEncoding({ detail: `public key ${sig.publicKey.length} / signature ${sig.signature.length} bytes, want 585 / 74` }))
    }
    if (input.parent !== undefined) yield* checkLinkage(h, input.parent, "exactly-next")
    // §10.1 step 5.5
    yield* verifyVdf(globalChallenge(h), h.difficulty, h.output)
    // §10.1 step 6
    const signerIndices = yield* checkSigners(sig, sig.publicKey, input.activeProvers, new Uint8Array(), input.requireQuorum ?? false)
    if (input.verifyAggregateSignature === true) {
      const bls = yield* BlsVerifier
      const filter = new Uint8Array()
      const ok = yield* bls
        .verify(sig.publicKey, sig.signature, makeVoteMessage(filter, h.rank, selector), voteDomain(filter))
        .pipe(Effect.mapError((e) => new BadSignature({ detail: `verifier failed: ${e.reason}` })))
      if (!ok) return yield* fail(new BadSignature({ detail: "aggregate signature does not verify over the vote message" }))
    }
    return { header: h, selector, signerIndices } satisfies ValidatedFrame<GlobalFrameHeader>
  })

export interface AppFrameValidationInput {
  readonly header: AppFrameHeader
  /** `GetActiveProvers(header.address)`, sorted by address. */
  readonly activeProvers: ReadonlyArray<ActiveProver>
  readonly parent?: AppFrameHeader
  /**
   * Ids for the appended VDF multiproofs (`ProverShardUpdate` passes the active provers' addresses).
   * Without ids the proof section's layout is checked but the proofs are not verified, as in §10.2.
   * Proofs are checked against SHA3-256(parent_selector) at the parent's difficulty when `parent` is
   * given, else at the header's own difficulty (DECISIONS.md D-SIG-2).
   */
  readonly multiproofIds?: ReadonlyArray<Uint8Array>
  readonly requireQuorum?: boolean
}

/** Appended multiproofs: `u32_be count ‖ count × 516` after the 74-byte signature (DECISIONS.md D-SIG-1). */
export const parseAppendedMultiproofs = (signature: Uint8Array): ReadonlyArray<Uint8Array> | string => {
  const rest = signature.subarray(BLS_SIGNATURE_BYTES)
  if (rest.length === 0) return []
  if (rest.length < 4) return `proof section is ${rest.length} bytes, shorter than its count`
  const count = new DataView(rest.buffer, rest.byteOffset, rest.byteLength).getUint32(0, false)
  const expected = 4 + count * VDF_OUTPUT_BYTES
  if (rest.length !== expected) return `proof section is ${rest.length} bytes, count ${count} needs ${expected}`
  const proofs: Array<Uint8Array> = []
  for (let i = 0; i < count; i++) proofs.push(rest.slice(4 + i * VDF_OUTPUT_BYTES, 4 + (i + 1) * VDF_OUTPUT_BYTES))
  return proofs
}

/** Builds the appended-multiproof signature layout of D-SIG-1. */
export const appendMultiproofs = (signature74: Uint8Array, proofs: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (proofs.length === 0) return signature74
  const count = new Uint8Array(4)
  new DataView(count.buffer).setUint32(0, proofs.length, false)
  return concatBytes(signature74, count, ...proofs)
}

export const validateAppFrame = (input: AppFrameValidationInput) =>
  Effect.gen(function* () {
    const h = input.header
    const poseidon = yield* Poseidon
    // §10.2 steps 1–3 (VerifyFrameHeader's structural checks)
    if (h.address.length < 32 || h.address.length > 64) {
      return yield* fail(new BadAddress({ detail: `address is ${h.address.length} bytes, want 32–64` }))
    }
    if (h.stateRoots.length !== APP_STATE_ROOT_COUNT) return yield* fail(new BadStateRoots({ detail: `${h.stateRoots.length} state roots, want 4` }))
    const badRoot = h.stateRoots.findIndex((r) => !is64or74(r))
    if (badRoot >= 0) return yield* fail(new BadStateRoots({ detail: `state root ${badRoot} is not 64 or 74 bytes` }))
    if (!is64or74(h.requestsRoot)) return yield* fail(new BadRequestsRoot({ detail: `${h.requestsRoot.length} bytes, want 64 or 74` }))
    if (h.prover.length === 0) return yield* fail(new BadProver({ detail: "prover is empty" }))
    // Checked before the frame-0 short-circuit too: the selector needs an output (the decoder already requires 516).
    if (h.output.length !== VDF_OUTPUT_BYTES) return yield* fail(new BadOutput({ detail: `output is ${h.output.length} bytes, want 516` }))
    const selector = poseidon(h.output)
    // Frame 0 short-circuits (its VDF input is the genesis preimage, §1.3).
    if (h.frameNumber === 0n) return { header: h, selector, signerIndices: [] } satisfies ValidatedFrame<AppFrameHeader>

    // FrameHeader.Validate (§1.2) for non-genesis frames
    if (h.prover.length !== 32) return yield* fail(new BadProver({ detail: `prover is ${h.prover.length} bytes, want 32` }))
    if (h.timestamp === 0n) return yield* fail(new BadTimestamp({ detail: "timestamp is 0" }))
    if (h.difficulty === 0) return yield* fail(new BadDifficulty({ detail: "difficulty is 0" }))
    if (h.parentSelector.length !== SELECTOR_BYTES) {
      return yield* fail(new BadParentSelector({ detail: `parent_selector is ${h.parentSelector.length} bytes, want 32` }))
    }
    // App frame numbers follow the global head (§1.6 step 4), so only "later than the parent" holds.
    if (input.parent !== undefined) yield* checkLinkage(h, input.parent, "later")
    yield* verifyVdf(appChallenge(h), h.difficulty, h.output)

    const sig = h.publicKeySignatureBls48581
    if (sig === undefined) return { header: h, selector, signerIndices: [] } satisfies ValidatedFrame<AppFrameHeader>

    // VerifyFrameHeaderSignature (§1.4 step 6)
    if (sig.publicKey === undefined) return yield* fail(new BadSignatureEncoding({ detail: "signature block has no public key" }))
    if (sig.signature.length < BLS_SIGNATURE_BYTES) {
      return yield* fail(new BadSignatureEncoding({ detail: `signature is ${sig.signature.length} bytes, want ≥ 74` }))
    }
    const bls = yield* BlsVerifier
    const ok = yield* bls
      .verify(sig.publicKey, sig.signature.subarray(0, BLS_SIGNATURE_BYTES), makeVoteMessage(h.address, h.rank, selector), voteDomain(h.address))
      .pipe(Effect.mapError((e) => new BadSignature({ detail: `verifier failed: ${e.reason}` })))
    if (!ok) return yield* fail(new BadSignature({ detail: "signature does not verify over the vote message" }))
    // D-SIG-3: quilbun's app QCs carry no multiproofs, so a certified frame's bare 74-byte signature is
    // an aggregate of several signers; the reference's exactly-one-bit rule would refuse every one of them.
    if (sig.signature.length === BLS_SIGNATURE_BYTES && bitmaskIndices(sig.bitmask).length === 0) {
      return yield* fail(new BadBitmask({ detail: "a bare 74-byte signature has no signer bit" }))
    }
    const proofs = parseAppendedMultiproofs(sig.signature)
    if (typeof proofs === "string") return yield* fail(new BadMultiproof({ detail: proofs }))
    if (proofs.length > 0 && input.multiproofIds !== undefined) {
      // Voters prove right after the parent's QC, so they can only use the parent's difficulty (D-SIG-2).
      const multiproofDifficulty = input.parent?.difficulty ?? h.difficulty
      const vdf = yield* FrameVdf
      const verified =
        proofs.length === input.multiproofIds.length &&
        (yield* vdf
          .verifyMulti(multiproofChallenge(h.parentSelector), multiproofDifficulty, input.multiproofIds, proofs)
          .pipe(Effect.mapError((e) => new BadMultiproof({ detail: `verifier failed: ${e.reason}` }))))
      if (!verified) return yield* fail(new BadMultiproof({ detail: "appended multiproofs do not verify" }))
    }
    // §10.2 step 4
    const signerIndices = yield* checkSigners(sig, sig.publicKey, input.activeProvers, h.address, input.requireQuorum ?? false)
    return { header: h, selector, signerIndices } satisfies ValidatedFrame<AppFrameHeader>
  })
