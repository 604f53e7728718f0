// ActorRef: the location-transparent handle to an actor. The local implementation offers straight
// into the mailbox (no Schema work); a remote implementation (worker IPC, network) implements the same
// interface using the protocol's encode/decode helpers.
import { Deferred, Duration, Effect, Exit, FiberId } from "effect"
import type { Fiber } from "effect"
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
  readonly ask: <Q extends AsksOf<M>>(message: Q, timeout?: Duration.DurationInput) => Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError>
  /**
   * Ask without a fiber, for hot non-Effect callers (the worker's IPC endpoint): `onExit` runs
   * exactly once with what `ask` (no timeout) would give — synchronously when the mailbox is closed
   * or full, otherwise on the actor's fiber, so it must be quick. Local refs only.
   */
  readonly unsafeAsk?: <Q extends AsksOf<M>>(message: Q, onExit: (exit: Exit.Exit<ReplyOf<Q>, FailureOf<Q> | AskError>) => void) => void
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
    readonly reply: Deferred.Deferred<unknown, unknown> | ((exit: Exit.Exit<unknown, unknown>) => void),
  ) {}

  settle(exit: Exit.Exit<unknown, unknown>): void {
    if (this.settled) return
    this.settled = true
    if (typeof this.reply !== "function") {
      Deferred.unsafeDone(this.reply, exit)
      return
    }
    try {
      this.reply(exit)
    } catch {
      // The callback belongs to the asker; its bug must not crash the actor that replied.
    }
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
  timer: DeadlineTimer,
  /**
   * Whether a fiber is the actor's own running incarnation. Its `tell`s to itself (from `init` or a
   * handler) never suspend under backpressure: only that fiber could make room, so waiting would
   * deadlock. They are queued past the capacity instead, as asks are.
   */
  isOwner: (fiber: Fiber.RuntimeFiber<unknown, unknown>) => boolean = () => false,
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
      if (!backpressure) return failFull
      // Only a full mailbox pays for the fiber check.
      return Effect.withFiberRuntime<void>((fiber) => {
        if (!isOwner(fiber)) return Effect.flatMap(mailbox.offer(message), afterSuspendedTell)
        if (mailbox.unsafeOfferOrQueue(message) === Offer.closed) stats.deadLetters++
        return Effect.void
      })
    })

  const unsafeTell = (message: M): boolean => {
    const result = mailbox.unsafeOffer(message)
    if (result === Offer.closed) stats.deadLetters++
    return result === Offer.accepted
  }

  const ask = <Q extends AsksOf<M>>(message: Q, timeout?: Duration.DurationInput): Effect.Effect<ReplyOf<Q>, FailureOf<Q> | AskError> => {
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

  const unsafeAsk = <Q extends AsksOf<M>>(message: Q, onExit: (exit: Exit.Exit<ReplyOf<Q>, FailureOf<Q> | AskError>) => void): void => {
    const envelope = new AskEnvelope(path, message, onExit as (exit: Exit.Exit<unknown, unknown>) => void)
    const result = mailbox.unsafeOfferOrQueue(envelope)
    if (result === Offer.closed) envelope.settle(Exit.fail(stopped))
    else if (result === Offer.full) envelope.settle(Exit.fail(full))
  }

  return { path, protocol, tell, unsafeTell, ask, unsafeAsk }
}
