// The sync client (§12 item 13, simplified: committed frames + uncommitted proposals from one peer).
// One request at a time; the same question to the same peer at most once per rebroadcast interval.
// Synced frames are verified one by one against the committed root (certified by their QC, valid
// against their parent — which includes the chain's frame-number rule: the global chain's numbers are
// contiguous, an app shard's only increase, D-APP-5) before the root moves; a long catch-up logs its progress.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, Either } from "effect"
import type { CertifiedFrame, ChainFrame, ChainProposal } from "./chain-kind.ts"
import { WrongQuorumCertificate } from "./consensus-errors.ts"
import { checkQc, type EngineContext, nodeOf } from "./engine-context.ts"
import type { EnginePorts, SyncProgressTracker } from "./engine-ports.ts"
import type { Forks } from "./forks.ts"
import { VDF_OUTPUT_BYTES } from "./frame-validation.ts"
import { bytesEqual } from "./messages/fields.ts"

export type SyncClientPorts<F, P> = Pick<EnginePorts<F, P>, "peerId" | "requestSync" | "startSyncProgress">

/** A macrotask boundary (not a Clock sleep: simulations under TestClock pass through it at once). */
const yieldToEventLoop: Effect.Effect<void> = Effect.async<void>((resume) => {
  const timer = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(timer))
})

export class SyncClient<F extends ChainFrame, P extends ChainProposal<F>> {
  private inFlight = false
  private last: { readonly peer: string; readonly from: bigint; readonly at: number } | undefined
  /** The long catch-up under way (peer head more than a batch ahead when it began), for progress lines. */
  private run: { readonly peer: string; readonly progress: SyncProgressTracker } | undefined

  constructor(
    private readonly ctx: EngineContext<F, P>,
    private readonly ports: SyncClientPorts<F, P>,
  ) {}

  /**
   * An answer stopped at a frame whose committee the source had not applied: the engine asks again once
   * its committed frames moved on (the registry follows them). Reset by the next request.
   */
  waitingForCommittee = false

  get isInFlight(): boolean {
    return this.inFlight
  }

  /** Asks `peer` for the committed frames after `rootFrameNumber` (unless a request is out or repeated). */
  request(peer: string, rootFrameNumber: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.inFlight || peer === this.ports.peerId) return
      // An answer that did not contain the missing parent will not contain it a moment later either.
      const now = yield* Clock.currentTimeMillis
      const from = rootFrameNumber + 1n
      const last = this.last
      if (
        last !== undefined &&
        last.peer === peer &&
        last.from === from &&
        now - last.at < this.ctx.config.timing.timeouts.maxTimeoutStateRebroadcastIntervalMs
      )
        return
      this.last = { peer, from, at: now }
      this.inFlight = true
      this.waitingForCommittee = false
      yield* Effect.logDebug(`sync from ${peer} at frame ${from}`)
      yield* this.ports.requestSync(peer, this.ctx.kind.encodeSyncRequest({ fromFrameNumber: from, limit: this.ctx.config.syncBatch }))
    })
  }

  /** Asks the last peer again, from `rootFrameNumber`, after an answer stopped for a committee. */
  retry(rootFrameNumber: bigint): Effect.Effect<void> {
    return Effect.suspend(() => {
      const last = this.last
      if (last === undefined) return Effect.void
      this.last = undefined
      return this.request(last.peer, rootFrameNumber)
    })
  }

  /** The request came back (answered or failed): another may go out. */
  answered(): void {
    this.inFlight = false
  }

  /**
   * Verifies the answer's committed frames in order and moves the Forks root over each valid one; stops
   * at the first invalid frame (its sender is rejected). Returns the adopted frames, oldest first.
   */
  adoptFrames(forks: Forks<F, P>, frames: ReadonlyArray<CertifiedFrame<F>>, peer: string): Effect.Effect<ReadonlyArray<CertifiedFrame<F>>> {
    return Effect.gen(this, function* () {
      const adopted: Array<CertifiedFrame<F>> = []
      for (const certified of frames) {
        const root = forks.root
        const h = certified.frame.header
        if (h.frameNumber <= root.node.frameNumber) continue
        // The frame's committee (app D-APP-18); one the source has not applied yet ends this answer
        // here without blaming the peer: the next request starts from the frame reached.
        const known = yield* this.ctx.committees.of(
          { frameNumber: h.frameNumber, frame: certified.frame, parent: root.node.frame },
          { frame: (s) => forks.get(bytesToHex(s))?.frame },
        )
        if (Either.isLeft(known)) {
          this.waitingForCommittee = true
          yield* this.endRun(`frame ${h.frameNumber}: committee not known yet (${known.left})`)
          break
        }
        const committee = known.right
        const verdict = yield* Effect.either(
          Effect.gen(this, function* () {
            if (h.output.length !== VDF_OUTPUT_BYTES || !bytesEqual(certified.qc.selector, this.ctx.poseidon(h.output)) || certified.qc.rank !== h.rank) {
              return yield* Effect.fail(new WrongQuorumCertificate({ detail: "the QC does not certify this frame" }))
            }
            yield* checkQc(this.ctx, committee, certified.qc)
            yield* this.ctx.kind.validateFrame(certified.frame, committee.members, root.node.frame).pipe(Effect.provide(this.ctx.services))
          }),
        )
        if (Either.isLeft(verdict)) {
          yield* this.endRun(`invalid frame ${h.frameNumber}: ${verdict.left._tag}`)
          yield* this.ctx.records.reject(peer, h.prover, "sync", verdict.left)
          break
        }
        forks.advanceRoot({ node: nodeOf(this.ctx, certified.frame, undefined, committee), qc: certified.qc })
        adopted.push(certified)
        // Each frame costs pairings and a VDF check (~0.1 s, far more on a loaded machine) on this
        // thread: a turn of the event loop between frames keeps the process answering its supervisor
        // (a data worker that stays silent for 15 s is killed) and its peers during a long catch-up.
        yield* yieldToEventLoop
      }
      return adopted
    })
  }

  /**
   * Starts a progress tracker when an answer shows the peer more than one batch ahead of `at` (short
   * catch-ups stay quiet), or follows the peer's head in the one under way.
   */
  trackRun(peer: string, peerHead: bigint, at: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const run = this.run
      if (run !== undefined && run.peer !== peer) yield* this.endRun(`switched to ${peer}`)
      const current = this.run
      if (current !== undefined) return yield* current.progress.retarget(Number(peerHead))
      if (peerHead - at <= BigInt(this.ctx.config.syncBatch)) return
      const progress = yield* this.ports.startSyncProgress(Number(at), Number(peerHead), peer)
      this.run = { peer, progress }
    })
  }

  /** The committed root reached `position`: the run's progress follows (and ends at its target). */
  advanceRun(position: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const run = this.run
      if (run === undefined) return
      yield* run.progress.advanceTo(Number(position))
      if (run.progress.isEnded) this.run = undefined
    })
  }

  /** Ends the tracked run, if any: a final line with the reason unless the target was reached. */
  endRun(reason: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const run = this.run
      this.run = undefined
      return run === undefined ? Effect.void : run.progress.stop(reason)
    })
  }
}
