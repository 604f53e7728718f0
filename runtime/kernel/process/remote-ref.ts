// An ActorRef to an actor in a data-worker process. It looks like a local ref: messages are
// encoded with the actor's protocol, carried as `[path, encoded]` over the worker link, and the
// worker's encoded Exit is decoded back, so the asker sees the same reply, declared failure or
// kernel error as it would in-process.
import { Cause, Duration, Effect, Exit, Option, Schema } from "effect"
import { ActorUnreachable, AskTimeout } from "../actor/errors.ts"
import type { AskError } from "../actor/errors.ts"
import type { AsksOf, FailureOf, Message, Protocol, ReplyOf } from "../actor/protocol.ts"
import type { ActorRef } from "../actor/ref.ts"
import type { MailboxFull } from "../actor/errors.ts"
import { isCloneIdentity } from "./clone-identity.ts"
import { WorkerTag } from "./protocol.ts"
import type { RemoteFailure, WorkerCrashed } from "./errors.ts"
import type { WorkerSlot } from "./worker-slot.ts"

type SchemaClass = { readonly fields?: Schema.Struct.Fields }

const fieldsAst = new WeakMap<object, boolean>()

/** True when the message is a Schema class whose fields are all clone-identity. */
export const messageNeedsNoEncoding = (message: object): boolean => {
  const ctor = message.constructor as SchemaClass
  const known = fieldsAst.get(ctor)
  if (known !== undefined) return known
  const ok = ctor.fields !== undefined && isCloneIdentity(Schema.Struct(ctor.fields).ast)
  fieldsAst.set(ctor, ok)
  return ok
}

const successAst = new WeakMap<object, boolean>()

/** True when an ask message's success schema is clone-identity. */
export const successNeedsNoDecoding = (message: object): boolean => {
  // Cached per message class: the success schema is static on the TaggedRequest class.
  const ctor = message.constructor
  const known = successAst.get(ctor)
  if (known !== undefined) return known
  const ok = Schema.symbolWithResult in message && isCloneIdentity(Schema.successSchema(message as unknown as Schema.WithResult.Any).ast)
  successAst.set(ctor, ok)
  return ok
}

const isPlainSuccess = (u: unknown): u is { readonly _tag: "Success"; readonly value: unknown } =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Success" && "value" in u

/**
 * Transport failures surface as the kernel's ActorUnreachable (the ActorRef contract has no
 * other errors): the worker process died during the ask (reason names WorkerCrashed), the worker
 * is down or gave up (WorkerUnavailable), or the worker refused the request (e.g. ActorNotFound).
 * `unsafeTell` forks the send and answers true optimistically (the link is asynchronous).
 */
export const makeRemoteRef = <M extends Message>(slot: Pick<WorkerSlot, "call" | "core" | "livePeer">, path: string, protocol: Protocol<M>): ActorRef<M> => {
  const toAskError = (error: { readonly _tag: string; readonly message: string }): AskError =>
    new ActorUnreachable({ path, reason: `${error._tag}: ${error.message}` })

  // Fast paths (see clone-identity.ts): a message whose fields need no encoding is sent as is
  // (structured clone yields exactly its encoded form); a successful reply whose schema needs no
  // decoding is taken as is (it comes from our own worker, which validated and encoded it).
  const send = (tag: string, message: M) =>
    messageNeedsNoEncoding(message)
      ? slot.call(tag, [path, message])
      : Effect.flatMap(Effect.orDie(protocol.encodeMessage(message)), (encoded) => slot.call(tag, [path, encoded]))

  const decodeReply = <Q extends AsksOf<M>>(message: Q, encoded: unknown) =>
    isPlainSuccess(encoded) && successNeedsNoDecoding(message)
      ? (Exit.succeed(encoded.value) as Exit.Exit<ReplyOf<Q>, FailureOf<Q> | AskError>)
      : Effect.flatMap(Effect.orDie(protocol.decodeReply(message, encoded)), (exit) => exit as Exit.Exit<ReplyOf<Q>, FailureOf<Q> | AskError>)

  const tell = (message: M): Effect.Effect<void, MailboxFull> =>
    send(WorkerTag.actorTell, message).pipe(
      Effect.catchAll((e) => Effect.logDebug("remote tell dropped", e.message).pipe(Effect.annotateLogs({ path }))),
      Effect.asVoid,
    )

  /** The general path: encode if needed, wait for a (re)starting worker, decode the reply. */
  const slowRoundTrip = <Q extends AsksOf<M>>(message: Q): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> =>
    send(WorkerTag.actorAsk, message).pipe(
      Effect.mapError(toAskError),
      Effect.flatMap((encoded) => decodeReply(message, encoded)),
    )

  /** The rpc outcome of an ask as the asker's Effect (already an Exit on the fast path). */
  const settle = <Q extends AsksOf<M>>(
    message: Q,
    exit: Exit.Exit<unknown, WorkerCrashed | RemoteFailure>,
  ): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> => {
    if (Exit.isSuccess(exit)) return decodeReply(message, exit.value)
    const failure = Cause.failureOption(exit.cause)
    return Option.isSome(failure) ? Exit.fail(toAskError(failure.value)) : Exit.failCause(Cause.map(exit.cause, toAskError))
  }

  // Hot path, while the worker is up and the message needs no encoding: one async suspension,
  // resumed straight from the link's message handler with the decoded reply. No fiber, Deferred
  // or continuation chain of our own, and no canceler: Effect wraps an async with a canceler in an
  // interruption handler (several steps per ask, ~2 µs measured on the sequential ask). An
  // interrupted ask without a timeout leaves its pending entry until its reply arrives (the remote
  // kernel always answers an ask: reply, failure, ActorRestarted or ActorStopped) or the link
  // closes; its late reply is then dropped. Asks with a timeout, which expect interruption, cancel.
  const roundTrip = <Q extends AsksOf<M>>(message: Q, cancelable: boolean): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> =>
    Effect.async<ReplyOf<Q>, FailureOf<Q> | AskError>((resume) => {
      const peer = slot.livePeer()
      if (peer === undefined || !messageNeedsNoEncoding(message)) return resume(slowRoundTrip(message))
      let done = false
      const id = peer.start(WorkerTag.actorAsk, [path, message], (exit) => {
        done = true
        resume(settle(message, exit))
      })
      // No canceler once answered: it would cost an onInterrupt frame for nothing.
      return cancelable && !done ? Effect.sync(() => peer.cancel(id)) : undefined
    })

  const ask = <Q extends AsksOf<M>>(message: Q, timeout?: Duration.DurationInput): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> => {
    if (timeout === undefined) return roundTrip(message, false)
    const duration = Duration.decode(timeout)
    return Effect.timeoutFail(roundTrip(message, true), {
      duration,
      onTimeout: () => new AskTimeout({ path, tag: message._tag, timeoutMillis: Duration.toMillis(duration) }),
    })
  }

  return {
    path,
    protocol,
    tell,
    unsafeTell: (message) => {
      Effect.runFork(tell(message))
      return true
    },
    ask,
  }
}
