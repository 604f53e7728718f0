// Typed errors of the actor kernel. They are Schema.TaggedError classes so a remote ref can
// send them across a process boundary and the caller still sees the same typed error.
import { Schema } from "effect"

/** An ask got no reply within its timeout. The message may still be processed later. */
export class AskTimeout extends Schema.TaggedError<AskTimeout>()("AskTimeout", {
  path: Schema.String,
  tag: Schema.String,
  timeoutMillis: Schema.Number,
}) {}

/** The actor is stopped (or gave up): queued and future asks fail with this. */
export class ActorStopped extends Schema.TaggedError<ActorStopped>()("ActorStopped", {
  path: Schema.String,
}) {}

/**
 * The actor crashed (a defect, not a declared failure) while processing *this* ask. The message is
 * not redelivered; `reason` is the pretty-printed cause.
 */
export class ActorRestarted extends Schema.TaggedError<ActorRestarted>()("ActorRestarted", {
  path: Schema.String,
  reason: Schema.String,
}) {}

/** The mailbox was full under the `reject` policy, or the message was evicted under `drop-oldest`. */
export class MailboxFull extends Schema.TaggedError<MailboxFull>()("MailboxFull", {
  path: Schema.String,
  capacity: Schema.Number,
}) {}

/**
 * A remote ref could not reach its actor (worker process down, transport failed mid-ask). Never
 * produced by local refs; the message may or may not have been processed.
 */
export class ActorUnreachable extends Schema.TaggedError<ActorUnreachable>()("ActorUnreachable", {
  path: Schema.String,
  reason: Schema.String,
}) {}

/** `ActorSystem.lookup` found no actor at the path (or its protocol differs). */
export class ActorNotFound extends Schema.TaggedError<ActorNotFound>()("ActorNotFound", {
  path: Schema.String,
}) {}

/** A supervisor exhausted a child's restart intensity (or its backoff schedule) and escalates. */
export class SupervisorGaveUp extends Schema.TaggedError<SupervisorGaveUp>()("SupervisorGaveUp", {
  path: Schema.String,
  child: Schema.String,
  reason: Schema.String,
}) {}

/** Errors any ask can fail with, besides the message's own declared failure. */
export type AskError = AskTimeout | ActorStopped | ActorRestarted | MailboxFull | ActorUnreachable

/** Schema of the kernel errors, so a remote ref can decode them from the wire. */
export const KernelError = Schema.Union(AskTimeout, ActorStopped, ActorRestarted, MailboxFull, ActorUnreachable)
