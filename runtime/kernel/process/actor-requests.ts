// Serving actor requests that arrive over a process link, on either side: the master asks actors a
// worker exports, and a worker asks actors the master exports (e.g. the shard relay). The envelope is
// our own `[path, encodedMessage]` tuple; the message itself is decoded by the target actor's protocol.
import { Effect, Either, Exit, Schema } from "effect"
import { ActorNotFound } from "../actor/errors.ts"
import { ActorEnvelope, WorkerTag } from "./protocol.ts"
import type { RpcDirectHandler, RpcFork, RpcHandler } from "./rpc.ts"

/** What one process's actor system offers to the process at the other end of a link. */
export interface ActorEndpoint {
  /** Decodes `message` with the target's protocol, asks, and returns the encoded reply. */
  readonly ask: (path: string, message: unknown) => Effect.Effect<unknown, unknown>
  /**
   * `ask` in callback form (the hot path): calls `respond` once with the encoded reply, or with
   * the failure `ask` would fail with; forks through `fork` only what has to wait.
   */
  readonly serveAsk: (path: string, message: unknown, respond: (exit: Exit.Exit<unknown, unknown>) => void, fork: RpcFork) => void
  readonly tell: (path: string, message: unknown) => Effect.Effect<void, unknown>
  /** The supervision tree as plain data. */
  readonly snapshot: Effect.Effect<unknown>
  /** Whether `path` is one of the actors this endpoint exports (a side may serve several endpoints). */
  readonly serves: (path: string) => boolean
}

const decodeEnvelope = Schema.decodeUnknown(ActorEnvelope)
const decodeEnvelopeEither = Schema.decodeUnknownEither(ActorEnvelope)

/**
 * The rpc handlers for `actor.ask` / `actor.tell`. `endpoint` is read per request, so a side whose
 * actor system starts after its link (the master) can serve once it exists: until then every
 * request is answered with ActorNotFound.
 */
export const actorRequestHandlers = (
  endpoint: (path: string) => ActorEndpoint | undefined,
): { readonly handlers: Readonly<Record<string, RpcHandler>>; readonly direct: Readonly<Record<string, RpcDirectHandler>> } => ({
  handlers: {
    [WorkerTag.actorTell]: (payload) =>
      Effect.flatMap(decodeEnvelope(payload), ([path, message]) => {
        const target = endpoint(path)
        return target === undefined ? Effect.fail(new ActorNotFound({ path })) : target.tell(path, message)
      }),
  },
  direct: {
    // Hot path: only the envelope's shape is checked here.
    [WorkerTag.actorAsk]: (payload, respond, fork) => {
      let path: string
      let message: unknown
      if (Array.isArray(payload) && payload.length === 2 && typeof payload[0] === "string") {
        path = payload[0]
        message = payload[1]
      } else {
        const decoded = decodeEnvelopeEither(payload)
        if (Either.isLeft(decoded)) return respond(Exit.fail(decoded.left))
        ;[path, message] = decoded.right
      }
      const target = endpoint(path)
      if (target === undefined) respond(Exit.fail(new ActorNotFound({ path })))
      else target.serveAsk(path, message, respond, fork)
    },
  },
})
