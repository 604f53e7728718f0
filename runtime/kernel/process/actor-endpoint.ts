// A process's actor endpoint: which of its actors the process at the other end of a link may reach
// (the master reaches a worker's, a worker the master's), and how a message that crossed the
// boundary is decoded, asked, and its Exit encoded back (protocol codecs from the kernel). Only
// exported paths are reachable; everything else is ActorNotFound.
import { Effect, Either, Exit, type ParseResult, Schema } from "effect"
import { ActorNotFound } from "../actor/errors.ts"
import type { AskMessage, Message, Protocol } from "../actor/protocol.ts"
import type { ActorRef } from "../actor/ref.ts"
import type { ActorSystemService } from "../actor/system.ts"
import type { RpcFork } from "./rpc.ts"
import type { ActorEndpoint } from "./actor-requests.ts"
import { successNeedsNoDecoding } from "./remote-ref.ts"

export type Exports = ReadonlyMap<string, Protocol<Message>>

/** Schema.TaggedRequest instances carry Schema.symbolWithResult; tells do not. */
const isAsk = (message: Message): message is AskMessage => typeof message === "object" && message !== null && Schema.symbolWithResult in message

type SyncDecode = (u: unknown) => Either.Either<Message, ParseResult.ParseError>
const syncDecoders = new WeakMap<Protocol<Message>, SyncDecode>()

/** The protocol's message decoder, run synchronously (same Schema as `protocol.decodeMessage`). */
const syncDecoder = (protocol: Protocol<Message>): SyncDecode => {
  let decode = syncDecoders.get(protocol)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(protocol.schema)
    syncDecoders.set(protocol, decode)
  }
  return decode
}

/** A decode that needs an async step cannot run synchronously (Forbidden): use the Effect decoder. */
const isForbidden = (error: ParseResult.ParseError): boolean => error.issue._tag === "Forbidden"

export const makeActorEndpoint = (system: ActorSystemService, exports: Exports): ActorEndpoint => {
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
    Effect.flatMap(
      ref.protocol.decodeMessage(encoded),
      (message): Effect.Effect<unknown, unknown> =>
        isAsk(message)
          ? Effect.flatMap(Effect.exit(ref.ask(message as never)), (exit) =>
              // A success whose schema needs no encoding goes out as the plain encoded Exit shape.
              Exit.isSuccess(exit) && successNeedsNoDecoding(message)
                ? Effect.succeed({ _tag: "Success", value: exit.value })
                : ref.protocol.encodeReply(message as never, exit as Exit.Exit<never, never>),
            )
          : Effect.fail(new ActorNotFound({ path: ref.path })),
    )

  /** An ask's Exit in wire form: a clone-identity success goes out as the plain encoded Exit shape. */
  const encodeExit = (
    ref: ActorRef<Message>,
    message: AskMessage,
    exit: Exit.Exit<unknown, unknown>,
    respond: (exit: Exit.Exit<unknown, unknown>) => void,
    fork: RpcFork,
  ): void => {
    if (Exit.isSuccess(exit) && successNeedsNoDecoding(message)) respond(Exit.succeed({ _tag: "Success", value: exit.value }))
    else fork(ref.protocol.encodeReply(message as never, exit as Exit.Exit<never, never>), respond)
  }

  // The callback form of askWith: a synchronous Schema decode, then the local ask through the
  // kernel's callback ask (no fiber per request), its Exit encoded in the callback.
  const serveWith = (ref: ActorRef<Message>, encoded: unknown, respond: (exit: Exit.Exit<unknown, unknown>) => void, fork: RpcFork): void => {
    const decoded = syncDecoder(ref.protocol)(encoded)
    if (Either.isLeft(decoded)) {
      if (isForbidden(decoded.left)) fork(askWith(ref, encoded), respond)
      else respond(Exit.fail(decoded.left))
      return
    }
    const message = decoded.right
    if (!isAsk(message)) {
      respond(Exit.fail(new ActorNotFound({ path: ref.path })))
      return
    }
    const done = (exit: Exit.Exit<unknown, unknown>) => encodeExit(ref, message, exit, respond, fork)
    // Local refs answer through a callback (no fiber per request); others through an ask fiber.
    if (ref.unsafeAsk !== undefined) ref.unsafeAsk(message as never, done as never)
    else fork(ref.ask(message as never), done)
  }

  return {
    ask: (path, encoded) => {
      const cached = refs.get(path)
      return cached !== undefined ? askWith(cached, encoded) : Effect.flatMap(resolve(path), (ref) => askWith(ref, encoded))
    },
    serveAsk: (path, encoded, respond, fork) => {
      const cached = refs.get(path)
      if (cached !== undefined) serveWith(cached, encoded, respond, fork)
      else
        fork(resolve(path), (exit) => {
          if (Exit.isSuccess(exit)) serveWith(exit.value, encoded, respond, fork)
          else respond(exit)
        })
    },
    tell: (path, encoded) => Effect.flatMap(resolve(path), (ref) => Effect.flatMap(ref.protocol.decodeMessage(encoded), (message) => ref.tell(message))),
    snapshot: system.snapshot,
    serves: (path) => exports.has(path),
  }
}
