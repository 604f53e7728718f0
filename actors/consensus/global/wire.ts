// Consensus traffic on the wire: GlobalProposal, ProposalVote and TimeoutState as canonical bytes on
// bitmask 0x00 (consensus.md §4.2), told apart by their u32 type prefix; and the sync protocol that
// lets a node that fell behind fetch committed frames plus the peer's uncommitted proposals.
import { Either } from "effect"
import { decodeWhole } from "../core/canonical/reader.ts"
import { TypePrefix } from "../core/canonical/type-prefix.ts"
import { CanonicalWriter } from "../core/canonical/writer.ts"
import type { ConsensusWireMessage as CoreWireMessage, SyncResponse as CoreSyncResponse, SyncRequest } from "../core/chain-kind.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import { decodeProposalVote } from "../core/messages/proposal-vote.ts"
import { decodeGlobalProposal, encodeGlobalProposal, type GlobalProposal } from "../core/messages/proposals.ts"
import { decodeTimeoutState } from "../core/messages/timeout-state.ts"
import { type CertifiedFrame, decodeCertifiedFrameEither, encodeCertifiedFrame } from "./persistence.ts"

/** GLOBAL_CONSENSUS (runtime/network/bitmask.ts): one zero byte. */
export const GLOBAL_CONSENSUS_BITMASK: Uint8Array = new Uint8Array(1)
/** Version 2: the response leads with the server's committed head (D-GC-7), so clients can show progress. */
export const GLOBAL_SYNC_PROTOCOL = "/quilibrium/global-sync/2"

export type ConsensusWireMessage = CoreWireMessage<GlobalProposal>

export const decodeWire = (data: Uint8Array): ConsensusWireMessage => {
  if (data.length < 4) return { _tag: "Undecodable", detail: "shorter than a type prefix" }
  const prefix = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, false)
  const fail = (e: unknown): ConsensusWireMessage => ({ _tag: "Undecodable", detail: String(e) })
  switch (prefix) {
    case TypePrefix.GlobalProposal:
      return Either.match(decodeGlobalProposal(data), { onLeft: fail, onRight: (proposal) => ({ _tag: "Proposal", proposal }) })
    case TypePrefix.ProposalVote:
      return Either.match(decodeProposalVote(data), { onLeft: fail, onRight: (vote) => ({ _tag: "Vote", vote }) })
    case TypePrefix.TimeoutState:
      return Either.match(decodeTimeoutState(data), { onLeft: fail, onRight: (timeout) => ({ _tag: "Timeout", timeout }) })
    default:
      return { _tag: "Undecodable", detail: `type prefix 0x${prefix.toString(16)} is not consensus traffic` }
  }
}

export type { SyncRequest }
export type SyncResponse = CoreSyncResponse<GlobalFrame, GlobalProposal>

export const encodeSyncRequest = (r: SyncRequest): Uint8Array => new CanonicalWriter(12).u64(r.fromFrameNumber).u32(r.limit).finish()

export const decodeSyncRequest = (data: Uint8Array) =>
  decodeWhole(data, "SyncRequest", (r) =>
    Either.gen(function* () {
      const fromFrameNumber = yield* r.u64("from_frame_number")
      const limit = yield* r.u32("limit")
      return { fromFrameNumber, limit } satisfies SyncRequest
    }),
  )

export const encodeSyncResponse = (s: SyncResponse): Uint8Array => {
  const w = new CanonicalWriter(64_000).u64(s.headFrameNumber).u32(s.frames.length)
  for (const f of s.frames) w.nested(encodeCertifiedFrame(f))
  w.u32(s.proposals.length)
  for (const p of s.proposals) w.nested(encodeGlobalProposal(p))
  return w.finish()
}

const MAX_SYNC_ITEMS = 1_000

export const decodeSyncResponse = (data: Uint8Array) =>
  decodeWhole(data, "SyncResponse", (r) =>
    Either.gen(function* () {
      const headFrameNumber = yield* r.u64("head_frame_number")
      const frameCount = yield* r.count("frames", MAX_SYNC_ITEMS, 4)
      const frames: Array<CertifiedFrame> = []
      for (let i = 0; i < frameCount; i++) frames.push(yield* decodeCertifiedFrameEither(yield* r.requiredNested(`frames[${i}]`, 8_000_000)))
      const proposalCount = yield* r.count("proposals", MAX_SYNC_ITEMS, 4)
      const proposals: Array<GlobalProposal> = []
      for (let i = 0; i < proposalCount; i++) proposals.push(yield* decodeGlobalProposal(yield* r.requiredNested(`proposals[${i}]`, 8_000_000)))
      return { headFrameNumber, frames, proposals } satisfies SyncResponse
    }),
  )
