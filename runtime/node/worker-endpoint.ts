// The worker's actor endpoint: which of its actors the master may reach, and how a message that
// crossed the boundary is decoded, asked, and its Exit encoded back (protocol codecs from the
// kernel). Only exported paths are reachable; everything else is ActorNotFound.
import { Effect, Exit, Schema } from "effect"
import { ActorNotFound } from "../actor/errors.ts"
import type { AskMessage, Message, Protocol } from "../actor/protocol.ts"
import type { ActorRef } from "../actor/ref.ts"
import type { ActorSystemService } from "../actor/system.ts"
import type { ActorEndpoint } from "../process/worker-host.ts"
import { successNeedsNoDecoding } from "../process/remote-ref.ts"

export type Exports = ReadonlyMap<string, Protocol<Message>>

/** Schema.TaggedRequest instances carry Schema.symbolWithResult; tells do not. */
const isAsk = (message: Message): message is AskMessage =>
  typeof message === "object" && message !== null && Schema.symbolWithResult in message

export const makeWorkerEndpoint = (system: ActorSystemService, exports: Exports): ActorEndpoint => {
  const refs = new Map<string, ActorRef<Message>>()
  const resolve = (path: string): Effect.Effect<ActorRef<Message>, ActorNotFound> =>
    Effect.suspend(() => {
      const cached = refs.get(path)
      if (cached !== undefined) return Effect.succeed(cached)
      const protocol = exports.get(path)
      if (protocol === undefined) return Effect.fail(new ActorNotFound({ path }))
      return system.lookup(path, protocol).pipe(Effect.tap((ref) => Effect.sync(() => refs.set(path, ref))))
    })

  // Hot path: no generators; a cached ref, one Schema decode, the local ask, one Schema encode.
  const askWith = (ref: ActorRef<Message>, encoded: unknown): Effect.Effect<unknown, unknown> =>
    Effect.flatMap(ref.protocol.decodeMessage(encoded), (message): Effect.Effect<unknown, unknown> =>
      isAsk(message)
        ? Effect.flatMap(Effect.exit(ref.ask(message as never)), (exit) =>
            // A success whose schema needs no encoding goes out as the plain encoded Exit shape.
            Exit.isSuccess(exit) && successNeedsNoDecoding(message)
              ? Effect.succeed({ _tag: "Success", value: exit.value })
              : ref.protocol.encodeReply(message as never, exit as Exit.Exit<never, never>)
          )
        : Effect.fail(new ActorNotFound({ path: ref.path }))
    )

  return {
    ask: (path, encoded) => {
      const cached = refs.get(path)
      return cached !== undefined ? askWith(cached, encoded) : Effect.flatMap(resolve(path), (ref) => askWith(ref, encoded))
    },
    tell: (path, encoded) =>
      Effect.flatMap(resolve(path), (ref) => Effect.flatMap(ref.protocol.decodeMessage(encoded), (message) => ref.tell(message))),
    snapshot: system.snapshot
  }
}
