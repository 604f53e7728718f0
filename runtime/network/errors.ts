// Typed errors of the p2p host and the bitmask pubsub. Schema.TaggedError so they can cross an
// actor or process boundary unchanged.
import { Schema } from "effect"

/** The peer key bytes are not an Ed25519 private key (32-byte seed or 64-byte seed ‖ public). */
export class InvalidPeerKey extends Schema.TaggedError<InvalidPeerKey>()("InvalidPeerKey", {
  reason: Schema.String,
}) {}

/** A multiaddr in the host config did not parse (or a bootstrap address lacks `/p2p/<id>`). */
export class InvalidMultiaddr extends Schema.TaggedError<InvalidMultiaddr>()("InvalidMultiaddr", {
  address: Schema.String,
  reason: Schema.String,
}) {}

/** libp2p failed to start (e.g. the listen address is in use). */
export class HostStartFailed extends Schema.TaggedError<HostStartFailed>()("HostStartFailed", {
  reason: Schema.String,
}) {}

/** A dial to a peer failed (refused, timed out, denied by a gater, wrong peer id...). */
/** libp2p's own stop failed. `aborted`: only in-flight work (dials, streams) was cut short, the
 * expected outcome when peers vanish while the node stops. */
export class HostStopFailed extends Schema.TaggedError<HostStopFailed>()("HostStopFailed", {
  reason: Schema.String,
  aborted: Schema.Boolean,
}) {}

export class DialFailed extends Schema.TaggedError<DialFailed>()("DialFailed", {
  address: Schema.String,
  reason: Schema.String,
}) {}

/** A ping to a connected peer failed. */
export class PingFailed extends Schema.TaggedError<PingFailed>()("PingFailed", {
  peer: Schema.String,
  reason: Schema.String,
}) {}

/** A bitmask was empty or too long for the pubsub envelope. */
export class InvalidBitmask extends Schema.TaggedError<InvalidBitmask>()("InvalidBitmask", {
  reason: Schema.String,
}) {}

/** The pubsub router refused to publish (too large, duplicate, no route...). */
export class PublishFailed extends Schema.TaggedError<PublishFailed>()("PublishFailed", {
  bitmask: Schema.String,
  reason: Schema.String,
}) {}

/** An abort of in-flight work (a DOMException or libp2p's AbortError, by name). */
export const isAbortError = (error: unknown): boolean => error instanceof Error && error.name === "AbortError"

export const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/** Why a request/response exchange failed (libp2p-transport.ts). */
export const RequestFailureReason = Schema.Literal(
  "unreachable",
  "timeout",
  "no-handler",
  "closed",
  "remote-error",
  "request-too-large",
  "response-too-large",
  "rate-limited",
  "bad-request",
  "malformed-response",
)
export type RequestFailureReason = typeof RequestFailureReason.Type

/** A request to a peer failed: refused by our own limits, by the peer's, or on the wire. */
export class RequestFailed extends Schema.TaggedError<RequestFailed>()("RequestFailed", {
  peer: Schema.String,
  protocol: Schema.String,
  reason: RequestFailureReason,
  detail: Schema.String,
}) {}
