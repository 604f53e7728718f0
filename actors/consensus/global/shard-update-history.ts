// The ProverShardUpdates a global branch already carries, per shard, over the last SHARD_UPDATE_WINDOW
// frames (D-GC-17): what the "above the last update for that shard" rule compares with. The walk starts
// at the parent of the frame being validated or produced, follows the engine's frames (Forks and its
// root) by parent selector, then the committed chain by number, checking each committed frame is the
// parent the walk expects (its QC names the selector). An update older than the window needs no look:
// its shard frame number is below the window, so below any update the window admits.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either } from "effect"
import type { CertifiedFrame, FrameBranch } from "../core/chain-kind.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import { decodeProverShardUpdate } from "../core/messages/prover-shard-update.ts"
import { SHARD_UPDATE_WINDOW } from "../core/shard-update-validation.ts"

/** Shard address (hex) → the newest shard frame number the walked frames carry for it. */
export type ShardUpdateHistory = ReadonlyMap<string, bigint>

/** Committed global frame n with its QC (undefined when not committed). */
export type CommittedGlobalFrame = (frameNumber: bigint) => Effect.Effect<CertifiedFrame<GlobalFrame> | undefined>

/** (address hex, shard frame number) of each update a frame carries; requests that are not updates are skipped. */
export const shardUpdatesOf = (frame: GlobalFrame): ReadonlyArray<{ readonly address: string; readonly frameNumber: bigint }> =>
  frame.requests.flatMap((request) => {
    const decoded = decodeProverShardUpdate(request)
    return Either.isRight(decoded) ? [{ address: bytesToHex(decoded.right.header.address), frameNumber: decoded.right.header.frameNumber }] : []
  })

/**
 * Updates carried by `parent` and its ancestors down to frame `globalFrameNumber − SHARD_UPDATE_WINDOW`.
 * Without a branch (frames adopted by sync) only committed ancestors are walked: those frames were
 * certified by a quorum that ran the full check with its branch.
 */
export const shardUpdateHistory = (
  parent: GlobalFrame,
  globalFrameNumber: bigint,
  branch: FrameBranch<GlobalFrame> | undefined,
  committed: CommittedGlobalFrame,
): Effect.Effect<ShardUpdateHistory> =>
  Effect.gen(function* () {
    const history = new Map<string, bigint>()
    const oldest = globalFrameNumber > SHARD_UPDATE_WINDOW ? globalFrameNumber - SHARD_UPDATE_WINDOW : 0n
    let frame: GlobalFrame | undefined = parent
    while (frame !== undefined && frame.header.frameNumber >= oldest && frame.header.frameNumber > 0n) {
      for (const u of shardUpdatesOf(frame)) {
        const seen = history.get(u.address)
        if (seen === undefined || u.frameNumber > seen) history.set(u.address, u.frameNumber)
      }
      const parentSelector: Uint8Array = frame.header.parentSelector
      const held = branch?.frame(parentSelector)
      if (held !== undefined) {
        frame = held
        continue
      }
      const below: CertifiedFrame<GlobalFrame> | undefined = yield* committed(frame.header.frameNumber - 1n)
      frame = below !== undefined && bytesEqual(below.qc.selector, parentSelector) ? below.frame : undefined
    }
    return history
  })
