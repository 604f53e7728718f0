// The worker's side of ProverShardUpdates (consensus.md §4.4 "submit the header to the master", §4.5):
// each finalized — hence certified — app frame's header and QC go to the master's /root/shard-updates.
// The ask is forked with a short timeout, so the shard never waits on the master; a lost submission
// costs one update (the next frame's header supersedes it). The master's answer carries its committed
// global head, which the shard's frame numbers follow (D-APP-5).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, type Scope } from "effect"
import type { ActorRef } from "../../../runtime/kernel/index.ts"
import type { CertifiedFrame } from "../core/chain-kind.ts"
import { encodeAppFrameHeader } from "../core/messages/app-frame-header.ts"
import type { AppShardFrame } from "../core/messages/app-shard-frame.ts"
import { encodeQuorumCertificate } from "../core/messages/quorum-certificate.ts"
import { GetGlobalHead, type ShardUpdatesMessage, SubmitShardUpdate } from "../global/shard-updates-protocol.ts"

const SUBMIT_TIMEOUT = "2 seconds"

export interface ShardUpdateSender {
  /** Hands the certified frame to the master in the background; returns at once. */
  readonly submit: (certified: CertifiedFrame<AppShardFrame>) => Effect.Effect<void>
  /** The master's committed global head as last reported; undefined before the first answer. */
  readonly globalHead: Effect.Effect<bigint | undefined>
  /** Asks the master for its head in the background (one ask at a time); returns at once. */
  readonly refreshGlobalHead: Effect.Effect<void>
}

export const makeShardUpdateSender = (pool: ActorRef<ShardUpdatesMessage>, scope: Scope.Scope): ShardUpdateSender => {
  let head: bigint | undefined
  let refreshing = false
  const heard = (answer: { readonly globalHead: bigint }) =>
    Effect.sync(() => {
      if (head === undefined || answer.globalHead > head) head = answer.globalHead
    })
  return {
    submit: ({ frame, qc }) =>
      pool.ask(new SubmitShardUpdate({ header: encodeAppFrameHeader(frame.header), quorumCertificate: encodeQuorumCertificate(qc) }), SUBMIT_TIMEOUT).pipe(
        Effect.tap(heard),
        Effect.catchAll((e) =>
          Effect.logDebug("shard update not submitted").pipe(
            Effect.annotateLogs({ shard: bytesToHex(frame.header.address), frameNumber: String(frame.header.frameNumber), error: e._tag }),
          ),
        ),
        Effect.forkIn(scope),
        Effect.asVoid,
      ),
    globalHead: Effect.sync(() => head),
    // A held leader calls this at every retry: one ask in flight is enough.
    refreshGlobalHead: Effect.suspend(() => {
      if (refreshing) return Effect.void
      refreshing = true
      return pool.ask(new GetGlobalHead(), SUBMIT_TIMEOUT).pipe(
        Effect.flatMap(heard),
        Effect.catchAll((e) => Effect.logDebug("global head not refreshed").pipe(Effect.annotateLogs({ error: e._tag }))),
        Effect.ensuring(Effect.sync(() => (refreshing = false))),
        Effect.forkIn(scope),
        Effect.asVoid,
      )
    }),
  }
}
