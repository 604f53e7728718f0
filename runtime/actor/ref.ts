// ActorRef: the location-transparent handle to an actor. The local implementation offers straight
// into the mailbox (no Schema work); a remote implementation (worker IPC, network) implements the same
// interface using the protocol's encode/decode helpers.
import { Deferred, Duration, Effect, Exit, FiberId } from "effect"
import { ActorStopped, MailboxFull } from "./errors.ts"
import type { AskError } from "./errors.ts"
import { Offer } from "./mailbox.ts"
import type { ActorMailbox } from "./mailbox.ts"
import type { AsksOf, FailureOf, Message, Protocol, ReplyOf } from "./protocol.ts"
import type { DeadlineTimer } from "./timer.ts"

export interface ActorRef<M extends Message> {
  readonly path: string
  readonly protocol: Protocol<M>
  /**
   * Fire and forget. Suspends while the mailbox is full under `backpressure`; fails with MailboxFull
   * under `reject`; a message to a stopped actor is dropped (counted as a dead letter).
   */
  readonly tell: (message: M) => Effect.Effect<void, MailboxFull>
  /** Synchronous tell for non-Effect callbacks: false when the mailbox is full or the actor stopped. */
  readonly unsafeTell: (message: M) => boolean
  /**
   * Send an ask message and wait for its reply. Without a timeout the ask still always completes:
   * with the reply, the declared failure, ActorRestarted (this message crashed the actor),
   * ActorStopped or MailboxFull. A timeout adds AskTimeout (and costs a timer per ask).
   */
  readonly ask: <Q extends AsksOf<M>>(
    message: Q,
    timeout?: Duration.DurationInput
  ) => Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError>
}

/** What an ask puts in the mailbox; tells are enqueued as the bare message. */
export class AskEnvelope {
  /** Set once the reply is decided (reply, failure, timeout, stop); later outcomes are ignored. */
  settled = false
  /** Clock millis after which the ask times out (0 = no timeout). */
  deadline = 0
  timeoutMillis = 0
  constructor(
    readonly path: string,
    readonly message: Message,
    readonly reply: Deferred.Deferred<unknown, unknown>
  ) {}

  settle(exit: Exit.Exit<unknown, unknown>): void {
    if (this.settled) return
    this.settled = true
    Deferred.unsafeDone(this.reply, exit)
  }
}

export type Envelope = Message | AskEnvelope

/** Counters the ref updates (the cell owns them). */
export interface RefStats {
  deadLetters: number
}

export const makeLocalRef = <M extends Message>(
  path: string,
  protocol: Protocol<M>,
  mailbox: ActorMailbox<Envelope>,
  stats: RefStats,
  timer: DeadlineTimer
): ActorRef<M> => {
  const stopped = new ActorStopped({ path })
  const full = new MailboxFull({ path, capacity: mailbox.capacity })
  const failStopped = Effect.fail(stopped)
  const failFull = Effect.fail(full)
  const backpressure = mailbox.policy === "backpressure"

  const afterSuspendedTell = (result: number): Effect.Effect<void> => {
    if (result === Offer.closed) stats.deadLetters++
    return Effect.void
  }

  const tell = (message: M): Effect.Effect<void, MailboxFull> =>
    Effect.suspend(() => {
      const result = mailbox.unsafeOffer(message)
      if (result === Offer.accepted) return Effect.void
      if (result === Offer.closed) {
        stats.deadLetters++
        return Effect.void
      }
      return backpressure ? Effect.flatMap(mailbox.offer(message), afterSuspendedTell) : failFull
    })

  const unsafeTell = (message: M): boolean => {
    const result = mailbox.unsafeOffer(message)
    if (result === Offer.closed) stats.deadLetters++
    return result === Offer.accepted
  }

  const ask = <Q extends AsksOf<M>>(
    message: Q,
    timeout?: Duration.DurationInput
  ): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> => {
    const millis = timeout === undefined ? 0 : Duration.toMillis(Duration.decode(timeout))
    return Effect.suspend(() => {
      const reply = Deferred.unsafeMake<ReplyOf<Q>, FailureOf<Q> | AskError>(FiberId.none)
      const envelope = new AskEnvelope(path, message, reply as Deferred.Deferred<unknown, unknown>)
      const result = mailbox.unsafeOfferOrQueue(envelope)
      if (result === Offer.closed) return failStopped
      if (result === Offer.full) return failFull
      if (millis > 0 && millis < Number.POSITIVE_INFINITY) timer.add(envelope, millis)
      return Deferred.await(reply)
    })
  }

  return { path, protocol, tell, unsafeTell, ask }
}
