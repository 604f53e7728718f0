// The master's liveness ask to one running data worker: a ping over the worker's RPC link every
// `interval`, at most one in flight. An exited worker closes its pipe and is noticed at once; this
// catches the one that is still there but does not answer (SIGSTOP, a wedged event loop).
import { Clock, Duration, Effect, Exit } from "effect"
import { WorkerTag } from "./protocol.ts"
import type { RpcPeer } from "./rpc.ts"

export interface LivenessPolicy {
  readonly interval: Duration.DurationInput
  /** Silence after which the worker is reported unresponsive. */
  readonly unresponsiveAfter: Duration.DurationInput
  /** Silence after which the worker is given up on (killed, so its slot restarts it). */
  readonly restartAfter: Duration.DurationInput
}

export const defaultLivenessPolicy: LivenessPolicy = {
  interval: "2 seconds",
  unresponsiveAfter: "5 seconds",
  restartAfter: "15 seconds",
}

export interface LivenessEvents {
  readonly unresponsive: (silentMs: number) => Effect.Effect<void>
  readonly responsive: (silentMs: number) => Effect.Effect<void>
  /** Called once, after which watching ends. */
  readonly stalled: (silentMs: number) => Effect.Effect<void>
}

/** Watches `peer` until it stalls (or the caller interrupts it). */
export const watchLiveness = (peer: RpcPeer, policy: LivenessPolicy, on: LivenessEvents): Effect.Effect<void> =>
  Effect.gen(function* () {
    const interval = Duration.decode(policy.interval)
    const unresponsiveAfter = Duration.toMillis(policy.unresponsiveAfter)
    const restartAfter = Duration.toMillis(policy.restartAfter)
    let lastAnswer = yield* Clock.currentTimeMillis
    let inFlight = 0 // the pending ping's call id, 0 when none
    let answered = false
    let unresponsive = false
    yield* Effect.addFinalizer(() => Effect.sync(() => peer.cancel(inFlight)))
    while (true) {
      if (inFlight === 0) {
        // The callback runs on the transport's message handler: it only sets flags, read below.
        inFlight = peer.start(WorkerTag.ping, null, (exit) => {
          inFlight = 0
          if (Exit.isSuccess(exit)) answered = true
        })
      }
      yield* Effect.sleep(interval)
      const now = yield* Clock.currentTimeMillis
      if (answered) {
        answered = false
        lastAnswer = now
      }
      const silent = now - lastAnswer
      if (silent >= restartAfter) return yield* on.stalled(silent)
      if (silent >= unresponsiveAfter && !unresponsive) {
        unresponsive = true
        yield* on.unresponsive(silent)
      } else if (silent < unresponsiveAfter && unresponsive) {
        unresponsive = false
        yield* on.responsive(silent)
      }
    }
  }).pipe(Effect.scoped)
