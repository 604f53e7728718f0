// The fee-manager actor: one FeeWindow per filter, fed from the canonical chain. With a distributor it
// follows the app time reels itself — every AppNewHead adds the frame's `fee_multiplier_vote`, every
// AppFork first drops the votes of the reverted frames (consensus.md §6 "Inputs") — so the multiplier
// is always the one of the chain the node considers canonical.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { Effect, Stream } from "effect"
import { Actor } from "../../runtime/kernel/index.ts"
import { type EventDistributorRef, subscribe } from "../event-distributor/index.ts"
import { FeeWindow } from "./fee-window.ts"
import { type FeeManagerMessage, FeeManagerProtocol, RecordFeeVote, RewindFeeVotes } from "./protocol.ts"
import { adjustFeeForTraffic } from "./traffic-adjustment.ts"

export const FEE_MANAGER_NAME = "fee-manager"

interface FeeState {
  /** By hex(filter). */
  readonly windows: Map<string, FeeWindow>
}

const windowOf = (state: FeeState, filter: Uint8Array): FeeWindow => {
  const key = bytesToHex(filter)
  let window = state.windows.get(key)
  if (window === undefined) {
    window = new FeeWindow()
    state.windows.set(key, window)
  }
  return window
}

interface FeeManagerOptions {
  /** Follow AppNewHead / AppFork of this distributor (workers); absent = fed by messages only. */
  readonly distributor?: EventDistributorRef
  /** Actor name under its parent (default "fee-manager"). */
  readonly name?: string
}

export const feeManagerActor = (options: FeeManagerOptions = {}) =>
  // R = never: the subscription's Scope is the incarnation's own, which init is given.
  Actor.make<FeeManagerMessage, FeeState, never>(
    options.name ?? FEE_MANAGER_NAME,
    FeeManagerProtocol,
    {
      init: (ctx) =>
        Effect.gen(function* () {
          const distributor = options.distributor
          if (distributor !== undefined) {
            // The subscription lives in the incarnation's scope: a restart re-subscribes.
            const events = yield* subscribe(distributor, { id: `${ctx.path}#app-heads`, types: ["AppNewHead", "AppFork"], capacity: 4096 })
            yield* Effect.forkScoped(
              Stream.runForEach(events.stream, ({ event }) => {
                const header = event.frame.header
                const record = ctx.self.tell(new RecordFeeVote({ filter: header.address, frameNumber: header.frameNumber, vote: header.feeMultiplierVote }))
                return event._tag === "AppFork"
                  ? Effect.zipRight(ctx.self.tell(new RewindFeeVotes({ filter: header.address, toFrame: event.commonAncestor.frameNumber })), record)
                  : record
              }),
            )
          }
          const state: FeeState = { windows: new Map() }
          return state
        }),
      handlers: {
        RecordFeeVote: (state, { filter, frameNumber, vote }) =>
          Effect.sync(() => {
            windowOf(state, filter).add(frameNumber, vote)
            return state
          }),
        RewindFeeVotes: (state, { filter, toFrame }) =>
          Effect.sync(() => {
            windowOf(state, filter).rewindTo(toFrame)
            return state
          }),
        NextFeeMultiplier: (state, { filter }) => Effect.sync(() => [state, windowOf(state, filter).multiplier()] as const),
        ProposerFeeVote: (state, { filter, dtMs }) => Effect.sync(() => [state, adjustFeeForTraffic(windowOf(state, filter).multiplier(), dtMs)] as const),
        FeeSnapshot: (state) =>
          Effect.sync(
            () =>
              [
                state,
                [...state.windows.entries()]
                  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
                  .map(([key, w]) => ({ filter: hexToBytes(key), multiplier: w.multiplier(), votes: w.size, lastFrame: w.lastFrame ?? null })),
              ] as const,
          ),
      },
    },
    { mailbox: { capacity: 4096, overflow: "backpressure" } },
  )
