// An ActorRef to an actor in a data-worker process. It looks like a local ref: messages are
// encoded with the actor's protocol, carried as `[path, encoded]` over the worker link, and the
// worker's encoded Exit is decoded back, so the asker sees the same reply, declared failure or
// kernel error as it would in-process.
import { Duration, Effect, Exit, Schema } from "effect"
import { ActorUnreachable, AskTimeout } from "../actor/errors.ts"
import type { AskError } from "../actor/errors.ts"
import type { AsksOf, FailureOf, Message, Protocol, ReplyOf } from "../actor/protocol.ts"
import type { ActorRef } from "../actor/ref.ts"
import type { MailboxFull } from "../actor/errors.ts"
import { isCloneIdentity } from "./clone-identity.ts"
import { WorkerTag } from "./protocol.ts"
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

/** True when an ask message's success schema is clone-identity. */
export const successNeedsNoDecoding = (message: object): boolean =>
  Schema.symbolWithResult in message &&
  isCloneIdentity(Schema.successSchema(message as unknown as Schema.WithResult.Any).ast)

const isPlainSuccess = (u: unknown): u is { readonly _tag: "Success"; readonly value: unknown } =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "Success" && "value" in u

/**
 * Transport failures surface as the kernel's ActorUnreachable (the ActorRef contract has no
 * other errors): the worker process died during the ask (reason names WorkerCrashed), the worker
 * is down or gave up (WorkerUnavailable), or the worker refused the request (e.g. ActorNotFound).
 * `unsafeTell` forks the send and answers true optimistically (the link is asynchronous).
 */
export const makeRemoteRef = <M extends Message>(
  slot: Pick<WorkerSlot, "call" | "core">,
  path: string,
  protocol: Protocol<M>
): ActorRef<M> => {
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
      Effect.asVoid
    )

  const ask = <Q extends AsksOf<M>>(
    message: Q,
    timeout?: Duration.DurationInput
  ): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> => {
    const roundTrip = send(WorkerTag.actorAsk, message).pipe(
      Effect.mapError(toAskError),
      Effect.flatMap((encoded) => decodeReply(message, encoded))
    )
    if (timeout === undefined) return roundTrip
    const duration = Duration.decode(timeout)
    return Effect.timeoutFail(roundTrip, {
      duration,
      onTimeout: () => new AskTimeout({ path, tag: message._tag, timeoutMillis: Duration.toMillis(duration) })
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
    ask
  }
}
