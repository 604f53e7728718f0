// App-shard consensus traffic (consensus.md §4.2): AppShardProposal, ProposalVote and TimeoutState as
// canonical bytes on `0x00 ‖ appFilter`, told apart by type prefix; and the shard's sync protocol, the
// global one's layout (D-GC-7) with app frames and proposals.
import { Either } from "effect"
import { decodeWhole } from "../core/canonical/reader.ts"
import { TypePrefix } from "../core/canonical/type-prefix.ts"
import { CanonicalWriter } from "../core/canonical/writer.ts"
import type { CertifiedFrame, ConsensusWireMessage, SyncRequest, SyncResponse } from "../core/chain-kind.ts"
import type { AppShardFrame } from "../core/messages/app-shard-frame.ts"
import { decodeProposalVote } from "../core/messages/proposal-vote.ts"
import { type AppShardProposal, decodeAppShardProposal, encodeAppShardProposal } from "../core/messages/proposals.ts"
import { decodeTimeoutState } from "../core/messages/timeout-state.ts"
import { bloomFilter, shardChannels } from "../../../runtime/network/bitmask.ts"
import { decodeAppCertifiedFrameEither, encodeAppCertifiedFrame } from "./persistence.ts"

/** Version 2 like the global sync, whose layout it shares. */
export const APP_SYNC_PROTOCOL = "/quilibrium/app-sync/2"

/** The shard's consensus bitmask: `0x00 ‖ GetBloomFilter(address, 256, 3)`. */
export const appConsensusBitmask = (address: Uint8Array): Uint8Array => shardChannels(bloomFilter(address)).consensus

type AppWireMessage = ConsensusWireMessage<AppShardProposal>
type AppSyncResponse = SyncResponse<AppShardFrame, AppShardProposal>

export const decodeAppWire = (data: Uint8Array): AppWireMessage => {
  if (data.length < 4) return { _tag: "Undecodable", detail: "shorter than a type prefix" }
  const prefix = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, false)
  const fail = (e: unknown): AppWireMessage => ({ _tag: "Undecodable", detail: String(e) })
  switch (prefix) {
    case TypePrefix.AppShardProposal:
      return Either.match(decodeAppShardProposal(data), { onLeft: fail, onRight: (proposal) => ({ _tag: "Proposal", proposal }) })
    case TypePrefix.ProposalVote:
      return Either.match(decodeProposalVote(data), { onLeft: fail, onRight: (vote) => ({ _tag: "Vote", vote }) })
    case TypePrefix.TimeoutState:
      return Either.match(decodeTimeoutState(data), { onLeft: fail, onRight: (timeout) => ({ _tag: "Timeout", timeout }) })
    default:
      return { _tag: "Undecodable", detail: `type prefix 0x${prefix.toString(16)} is not app consensus traffic` }
  }
}

export const encodeAppSyncRequest = (r: SyncRequest): Uint8Array => new CanonicalWriter(12).u64(r.fromFrameNumber).u32(r.limit).finish()

export const decodeAppSyncRequest = (data: Uint8Array) =>
  decodeWhole(data, "AppSyncRequest", (r) =>
    Either.gen(function* () {
      const fromFrameNumber = yield* r.u64("from_frame_number")
      const limit = yield* r.u32("limit")
      return { fromFrameNumber, limit } satisfies SyncRequest
    }),
  )

export const encodeAppSyncResponse = (s: AppSyncResponse): Uint8Array => {
  const w = new CanonicalWriter(64_000).u64(s.headFrameNumber).u32(s.frames.length)
  for (const f of s.frames) w.nested(encodeAppCertifiedFrame(f))
  w.u32(s.proposals.length)
  for (const p of s.proposals) w.nested(encodeAppShardProposal(p))
  return w.finish()
}

const MAX_SYNC_ITEMS = 1_000

export const decodeAppSyncResponse = (data: Uint8Array) =>
  decodeWhole(data, "AppSyncResponse", (r) =>
    Either.gen(function* () {
      const headFrameNumber = yield* r.u64("head_frame_number")
      const frameCount = yield* r.count("frames", MAX_SYNC_ITEMS, 4)
      const frames: Array<CertifiedFrame<AppShardFrame>> = []
      for (let i = 0; i < frameCount; i++) frames.push(yield* decodeAppCertifiedFrameEither(yield* r.requiredNested(`frames[${i}]`, 8_000_000)))
      const proposalCount = yield* r.count("proposals", MAX_SYNC_ITEMS, 4)
      const proposals: Array<AppShardProposal> = []
      for (let i = 0; i < proposalCount; i++) proposals.push(yield* decodeAppShardProposal(yield* r.requiredNested(`proposals[${i}]`, 8_000_000)))
      return { headFrameNumber, frames, proposals } satisfies AppSyncResponse
    }),
  )
