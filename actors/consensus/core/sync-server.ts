// The sync server (§12 item 13, simplified): committed frames from the store, plus every validated
// state above the committed root from memory (both frames of an equivocating leader included: either
// may be the certified one). It runs in the requester's fiber, never through the engine's mailbox.
import { Effect, Either } from "effect"
import type { ChainFrame, ChainKind, ChainProposal } from "./chain-kind.ts"
import type { EnginePorts } from "./engine-ports.ts"

/** The most committed frames one answer carries (the transport guards requests with the same bound). */
export const MAX_SYNC_FRAMES = 256

export interface SyncServerView<P> {
  /** The committed root's frame number (the head an undecodable request is told). */
  readonly rootFrameNumber: () => bigint
  /** Validated, uncommitted proposals, ascending by rank. */
  readonly pendingProposals: () => ReadonlyArray<P>
}

export const serveSync = <F extends ChainFrame, P extends ChainProposal<F>>(
  kind: ChainKind<F, P>,
  readCommitted: EnginePorts<F, P>["readCommitted"],
  view: SyncServerView<P>,
  data: Uint8Array,
): Effect.Effect<Uint8Array> =>
  Effect.gen(function* () {
    const request = kind.decodeSyncRequest(data)
    if (Either.isLeft(request)) return kind.encodeSyncResponse({ headFrameNumber: view.rootFrameNumber(), frames: [], proposals: [] })
    const max = Math.min(request.right.limit, MAX_SYNC_FRAMES)
    const { headFrameNumber, frames } = yield* readCommitted(request.right.fromFrameNumber, max)
    // Proposals only build on the head: a partial answer leaves them for the requester's next round.
    const complete = frames.length < max
    return kind.encodeSyncResponse({ headFrameNumber, frames, proposals: complete ? view.pendingProposals() : [] })
  })
