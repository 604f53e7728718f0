// The worker side of publishing through the master's relay: the publishes a worker's shards make in
// one turn of its event loop go to the relay as one PublishShards ask (tick-batch.ts, DECISIONS.md 1),
// and each caller gets its own publish's outcome, as a PublishShard ask would have given it.
import { type Cause, Effect, Exit, Runtime } from "effect"
import type { ActorRef } from "../../runtime/kernel/index.ts"
import type { AskError } from "../../runtime/kernel/actor/errors.ts"
import type { NetworkUnavailable, RelayPublishFailed, ShardNotActive } from "./errors.ts"
import { MAX_SHARD_BATCH, PublishShards, type ShardChannel, type ShardRelayMessage } from "./protocol.ts"
import { tickBatcher } from "./tick-batch.ts"

type PublishError = ShardNotActive | NetworkUnavailable | RelayPublishFailed | AskError
type PublishExit = Exit.Exit<{ readonly recipients: number }, PublishError>

interface PendingPublish {
  readonly publish: { readonly appFilter: Uint8Array; readonly channel: ShardChannel; readonly payload: Uint8Array }
  readonly resume: (exit: PublishExit) => void
}

/** `publish` of ShardNetworkService for worker `core`, batched per event-loop turn. */
export const batchedPublisher = (core: number, relay: ActorRef<ShardRelayMessage>, askTimeout: Parameters<ActorRef<ShardRelayMessage>["ask"]>[1]) =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const runFork = Runtime.runFork(runtime)
    const send = tickBatcher<PendingPublish>(MAX_SHARD_BATCH, (batch) => {
      runFork(
        relay.ask(new PublishShards({ core, publishes: batch.map((p) => p.publish) }), askTimeout).pipe(
          Effect.filterOrDieMessage((outcomes) => outcomes.length === batch.length, "the relay answered a different number of publish outcomes"),
          // Every caller hears back, whatever happened to the ask (its failure, a defect, interruption).
          Effect.onExit((exit) =>
            Effect.sync(() => {
              if (Exit.isFailure(exit)) {
                for (const p of batch) p.resume(Exit.failCause(exit.cause as Cause.Cause<PublishError>))
                return
              }
              batch.forEach((p, i) => {
                const outcome = exit.value[i]
                if (outcome === undefined)
                  p.resume(Exit.die(new Error("no publish outcome"))) // excluded by the length check above
                else if (outcome._tag === "Published") p.resume(Exit.succeed({ recipients: outcome.recipients }))
                else p.resume(Exit.fail(outcome))
              })
            }),
          ),
        ),
      )
    })
    return (appFilter: Uint8Array, channel: ShardChannel, payload: Uint8Array): Effect.Effect<{ readonly recipients: number }, PublishError> =>
      Effect.async<{ readonly recipients: number }, PublishError>((resume) => send({ publish: { appFilter, channel, payload }, resume }))
  })
