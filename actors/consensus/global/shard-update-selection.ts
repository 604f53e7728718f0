// What a global leader proposes of the pending certified shard headers (consensus.md §4.5 step 2): per
// shard the newest header the frame-number rule admits (D-GC-17) and whose certificate verifies — the
// checks every validator will run, so an honest leader never proposes a frame its peers reject. At most
// one per shard and MAX_SHARD_UPDATES per frame, in address order (the order the requests root commits to).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { AppFrameHeader } from "../core/messages/app-frame-header.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import { shardFrameNumberProblem, verifyCertifiedShardHeader } from "../core/shard-update-validation.ts"
import type { ShardUpdateHistory } from "./shard-update-history.ts"

/** The reference decoder's bound on a global frame's requests. */
export const MAX_SHARD_UPDATES = 100

export const selectShardUpdates = (
  candidates: ReadonlyArray<AppFrameHeader>,
  globalFrameNumber: bigint,
  history: ShardUpdateHistory,
  committee: ReadonlyArray<ActiveProver>,
) =>
  Effect.gen(function* () {
    const byShard = new Map<string, Array<AppFrameHeader>>()
    for (const h of candidates) {
      const key = bytesToHex(h.address)
      const list = byShard.get(key)
      if (list === undefined) byShard.set(key, [h])
      else list.push(h)
    }
    const chosen: Array<AppFrameHeader> = []
    for (const shard of [...byShard.keys()].sort()) {
      if (chosen.length >= MAX_SHARD_UPDATES) break
      const newestFirst = [...(byShard.get(shard) ?? [])].sort((a, b) => (a.frameNumber > b.frameNumber ? -1 : a.frameNumber < b.frameNumber ? 1 : 0))
      for (const header of newestFirst) {
        if (shardFrameNumberProblem(header.frameNumber, globalFrameNumber, history.get(shard)) !== undefined) continue
        const verified = yield* Effect.either(verifyCertifiedShardHeader(header, committee, chosen.length))
        if (verified._tag === "Right") {
          chosen.push(header)
          break
        }
        yield* Effect.logDebug("pending shard update does not verify; not proposed").pipe(
          Effect.annotateLogs({ shard, frameNumber: String(header.frameNumber), reason: verified.left.reason, detail: verified.left.detail }),
        )
      }
    }
    return chosen
  })
