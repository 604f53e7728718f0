// What one app shard's consensus keeps in the store (D-APP-4). Values are canonical bytes, as for the
// global chain (D-GC-5); every key starts with the shard address, so the shards of one worker share the
// buckets without sharing rows.
//   app_consensus_state: address ‖ kind ‖ u64 ‖ selector
//     0x00 ‖ 0 ‖ —        safety state          0x01 ‖ 0 ‖ —        liveness state
//     0x03 ‖ 0 ‖ —        committed head number 0x04 ‖ rank ‖ sel   validated uncommitted proposal
//     0x05 ‖ 0 ‖ sel      frame number of the committed frame with that selector (ancestry walks)
//   app_frames: address ‖ u64 frame number → committed AppShardFrame ‖ its QC
import { Either } from "effect"
import { decodeWhole } from "../core/canonical/reader.ts"
import { CanonicalWriter } from "../core/canonical/writer.ts"
import type { CertifiedFrame } from "../core/chain-kind.ts"
import { type AppShardFrame, decodeAppShardFrame, encodeAppShardFrame } from "../core/messages/app-shard-frame.ts"
import { type AppShardProposal, decodeAppShardProposal, encodeAppShardProposal } from "../core/messages/proposals.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate } from "../core/messages/quorum-certificate.ts"
import { Buckets, defineRepository, KeyCodec, ValueCodec } from "../../../runtime/store/index.ts"

export const appConsensusRows = defineRepository({
  bucket: Buckets.appConsensusState,
  key: KeyCodec.tuple(KeyCodec.bytes, KeyCodec.fixedBytes(1), KeyCodec.u64, KeyCodec.bytes),
  value: ValueCodec.raw,
})

export const appFrameRows = defineRepository({
  bucket: Buckets.appFrames,
  key: KeyCodec.tuple(KeyCodec.bytes, KeyCodec.u64),
  value: ValueCodec.raw,
})

export type AppConsensusKey = readonly [Uint8Array, Uint8Array, bigint, Uint8Array]

const NONE = new Uint8Array()
const kind = (k: number): Uint8Array => Uint8Array.of(k)
const SAFETY = kind(0x00)
const LIVENESS = kind(0x01)
const HEAD = kind(0x03)
const PROPOSAL = kind(0x04)
const SELECTOR = kind(0x05)

export const safetyKey = (address: Uint8Array): AppConsensusKey => [address, SAFETY, 0n, NONE]
export const livenessKey = (address: Uint8Array): AppConsensusKey => [address, LIVENESS, 0n, NONE]
export const headKey = (address: Uint8Array): AppConsensusKey => [address, HEAD, 0n, NONE]
export const proposalKey = (address: Uint8Array, rank: bigint, selector: Uint8Array): AppConsensusKey => [address, PROPOSAL, rank, selector]
export const proposalPrefix = (address: Uint8Array): Uint8Array => appConsensusRows.key.prefix(address, PROPOSAL)
export const selectorKey = (address: Uint8Array, selector: Uint8Array): AppConsensusKey => [address, SELECTOR, 0n, selector]

const orThrow = <A, E>(e: Either.Either<A, E>, what: string): A => {
  if (Either.isLeft(e)) throw new Error(`corrupt ${what}: ${String(e.left)}`)
  return e.right
}

export const encodeAppCertifiedFrame = (c: CertifiedFrame<AppShardFrame>): Uint8Array =>
  new CanonicalWriter(8_192).nested(encodeAppShardFrame(c.frame)).nested(encodeQuorumCertificate(c.qc)).finish()

export const decodeAppCertifiedFrameEither = (bytes: Uint8Array) =>
  decodeWhole(bytes, "AppCertifiedFrame", (r) =>
    Either.gen(function* () {
      const frame = yield* decodeAppShardFrame(yield* r.requiredNested("frame", 8_000_000))
      const qc = yield* decodeQuorumCertificate(yield* r.requiredNested("qc", 100_000))
      return { frame, qc } satisfies CertifiedFrame<AppShardFrame>
    }),
  )

export const decodeAppCertifiedFrame = (bytes: Uint8Array): CertifiedFrame<AppShardFrame> =>
  orThrow(decodeAppCertifiedFrameEither(bytes), "committed app frame")

export const encodeStoredAppProposal = (p: AppShardProposal): Uint8Array => encodeAppShardProposal(p)
export const decodeStoredAppProposal = (bytes: Uint8Array): AppShardProposal => orThrow(decodeAppShardProposal(bytes), "stored app proposal")
