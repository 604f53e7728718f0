// The checks on a global frame's `ProverShardUpdate` requests (consensus.md §4.5 step 3, §10.4), run by
// every node that validates the frame, and by the leader on the updates it is about to propose:
//   - the request decodes as a MessageBundle holding one certified FrameHeader, stamped with its timestamp;
//   - at most one update per shard per global frame;
//   - the frame-number rule (quilbun's, global DECISIONS D-GC-17): 0 < shard frame < global frame, the
//     shard frame within SHARD_UPDATE_WINDOW of the global frame, and above the last update for that shard
//     on this branch (which the caller looks up over the window);
//   - VerifyFrameHeader: the header's own rules and VDF (validateAppFrame), then its certificate — the QC
//     aggregate the committed header carries (§1.4 step 3): bitmask non-empty with every index below the
//     active count, participation ×3 ≥ active ×2 by heads, the header key equal to the aggregate of the
//     selected provers' keys, and the aggregate signature verifying over the vote message under the shard's
//     domain.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either } from "effect"
import { BlsVerifier, Poseidon } from "../../../crates/ts/services.ts"
import { BadShardUpdate, type ShardUpdateReason } from "./frame-rejection.ts"
import { validateAppFrame } from "./frame-validation.ts"
import { AppFrameHeader } from "./messages/app-frame-header.ts"
import { bytesEqual } from "./messages/fields.ts"
import { decodeProverShardUpdate } from "./messages/prover-shard-update.ts"
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES } from "./messages/signatures.ts"
import { type ActiveProver, bitmaskSigners } from "./prover-ring.ts"
import { makeVoteMessage, voteDomain } from "./signed-messages.ts"

/**
 * How far (in global frames) a shard header may trail the global frame that carries it. It also bounds
 * the branch walk for the "above the last update" rule: an update older than the window has a shard
 * frame number below the window, so only the last SHARD_UPDATE_WINDOW frames need looking at.
 */
export const SHARD_UPDATE_WINDOW = 32n

export interface ShardUpdateContext {
  /** The number of the global frame that carries the updates. */
  readonly globalFrameNumber: bigint
  /**
   * The shard's active provers, sorted by address. Today every shard's committee is the network's genesis
   * committee, which is also the global committee (runtime/node/shard-hosts.ts).
   */
  readonly committee: (address: Uint8Array) => ReadonlyArray<ActiveProver>
  /** The newest shard frame number included for `address` on this branch within the window, if any. */
  readonly lastIncluded: (address: Uint8Array) => bigint | undefined
}

/** The detail names the reason and the request too: status records and log lines keep only tag and detail. */
const bad = (reason: ShardUpdateReason, index: number, detail: string) =>
  new BadShardUpdate({ reason, index, detail: `request ${index}, ${reason}: ${detail}` })
const fail = (reason: ShardUpdateReason, index: number, detail: string) => Effect.fail(bad(reason, index, detail))

/** The frame-number rule alone (D-GC-17), for the pool and the leader as well as the validator. */
export const shardFrameNumberProblem = (
  shardFrameNumber: bigint,
  globalFrameNumber: bigint,
  last: bigint | undefined,
): { readonly reason: ShardUpdateReason; readonly detail: string } | undefined => {
  if (shardFrameNumber === 0n) return { reason: "frame-number", detail: "shard genesis (frame 0) carries no certificate" }
  if (shardFrameNumber >= globalFrameNumber) {
    return { reason: "frame-number", detail: `shard frame ${shardFrameNumber} is not below global frame ${globalFrameNumber}` }
  }
  if (shardFrameNumber + SHARD_UPDATE_WINDOW < globalFrameNumber) {
    return { reason: "stale", detail: `shard frame ${shardFrameNumber} is more than ${SHARD_UPDATE_WINDOW} frames behind global frame ${globalFrameNumber}` }
  }
  if (last !== undefined && shardFrameNumber <= last) {
    return { reason: "replayed", detail: `shard frame ${shardFrameNumber} is not above ${last}, already carried on this branch` }
  }
  return undefined
}

/** VerifyFrameHeader for a certified header against the shard's committee (no frame-number rule). */
export const verifyCertifiedShardHeader = (header: AppFrameHeader, committee: ReadonlyArray<ActiveProver>, index: number) =>
  Effect.gen(function* () {
    const sig = header.publicKeySignatureBls48581
    if (sig === undefined) return yield* fail("signature-encoding", index, "the header carries no certificate")
    // The header's rules and VDF; its certificate is checked below, by the participation rule rather than
    // the proposal's single-signer rule.
    const { publicKeySignatureBls48581: _certificate, ...unsigned } = header
    yield* validateAppFrame({ header: new AppFrameHeader(unsigned), activeProvers: committee }).pipe(
      Effect.mapError((e) => bad("header", index, `${e._tag}: ${e.detail}`)),
    )
    // quilbun's app QCs aggregate bare 74-byte signatures: no appended multiproofs (D-GC-17).
    if (sig.publicKey?.length !== BLS_PUBLIC_KEY_BYTES || sig.signature.length !== BLS_SIGNATURE_BYTES) {
      return yield* fail(
        "signature-encoding",
        index,
        `public key ${sig.publicKey?.length ?? 0} / signature ${sig.signature.length} bytes, want ${BLS_PUBLIC_KEY_BYTES} / ${BLS_SIGNATURE_BYTES}`,
      )
    }
    const selected = bitmaskSigners(committee, sig.bitmask)
    if (selected._tag === "BitmaskTooShort") return yield* fail("bitmask", index, `bitmask ${selected.length} bytes, committee needs ${selected.required}`)
    if (selected._tag === "BitmaskIndexOutOfRange") {
      return yield* fail("bitmask", index, `bit ${selected.index} set but only ${selected.committeeSize} active provers`)
    }
    if (selected.signers.length === 0) return yield* fail("bitmask", index, "no signer bits set")
    // By heads, not by seniority (§4.5).
    if (selected.signers.length * 3 < committee.length * 2) {
      return yield* fail("participation", index, `${selected.signers.length} of ${committee.length} provers signed, need two thirds`)
    }
    const bls = yield* BlsVerifier
    const aggregate = yield* bls
      .aggregatePublicKeys(selected.signers.map((p) => p.publicKey))
      .pipe(Effect.mapError((e) => bad("aggregate-public-key", index, `aggregation failed: ${e.reason}`)))
    if (!bytesEqual(aggregate, sig.publicKey)) return yield* fail("aggregate-public-key", index, "header key ≠ aggregate of the bitmask-selected provers")
    const poseidon = yield* Poseidon
    const ok = yield* bls
      .verify(sig.publicKey, sig.signature, makeVoteMessage(header.address, header.rank, poseidon(header.output)), voteDomain(header.address))
      .pipe(Effect.mapError((e) => bad("signature", index, `verifier failed: ${e.reason}`)))
    if (!ok) return yield* fail("signature", index, "the aggregate does not verify over the shard's vote message")
    return header
  })

/** Every request of a global frame as a ProverShardUpdate: the headers in frame order, or the first failure. */
export const validateShardUpdates = (requests: ReadonlyArray<Uint8Array>, context: ShardUpdateContext) =>
  Effect.gen(function* () {
    const seen = new Set<string>()
    const headers: Array<AppFrameHeader> = []
    for (const [index, request] of requests.entries()) {
      const decoded = decodeProverShardUpdate(request)
      if (Either.isLeft(decoded)) return yield* fail("undecodable", index, `${decoded.left._tag}: ${JSON.stringify(decoded.left)}`)
      const { header, timestamp } = decoded.right
      if (timestamp !== header.timestamp) return yield* fail("bundle-timestamp", index, `bundle timestamp ${timestamp} ≠ header timestamp ${header.timestamp}`)
      const shard = bytesToHex(header.address)
      if (seen.has(shard)) return yield* fail("duplicate-shard", index, `a second update for shard ${shard}`)
      seen.add(shard)
      const problem = shardFrameNumberProblem(header.frameNumber, context.globalFrameNumber, context.lastIncluded(header.address))
      if (problem !== undefined) return yield* fail(problem.reason, index, problem.detail)
      headers.push(yield* verifyCertifiedShardHeader(header, context.committee(header.address), index))
    }
    return headers
  })
