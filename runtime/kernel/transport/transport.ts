// The consensus transport: bitmask publish/subscribe plus request/response for sync (consensus.md
// §4.2, design.md §1). One interface, two implementations: in-memory (devnets, simulations) now, and
// libp2p behind the same interface in the p2p actor later. Payloads are opaque bytes (canonical
// consensus encodings); the sender's peer id travels with every message so receivers can penalize.
import { Context, Data, type Effect, type Scope } from "effect"

/** A bitmask channel (a byte string: length and bits both matter, see runtime/network/bitmask.ts). */
export type Bitmask = Uint8Array

export interface InboundMessage {
  readonly from: string
  readonly bitmask: Bitmask
  readonly data: Uint8Array
}

/** Synchronous so a subscriber can enqueue into a mailbox (`ActorRef.unsafeTell`) without blocking the sender. */
export type MessageHandler = (message: InboundMessage) => void

export type RequestHandler = (from: string, data: Uint8Array) => Effect.Effect<Uint8Array, TransportError>

export class TransportError extends Data.TaggedError("TransportError")<{
  readonly reason: "unreachable" | "timeout" | "no-handler" | "closed" | "remote-error"
  readonly detail: string
}> {}

export interface TransportService {
  /** This endpoint's peer id. */
  readonly peerId: string
  /** Best-effort broadcast to every subscriber of the bitmask except this endpoint. */
  readonly publish: (bitmask: Bitmask, data: Uint8Array) => Effect.Effect<void>
  /** Receive messages on a bitmask until the scope closes. */
  readonly subscribe: (bitmask: Bitmask, handler: MessageHandler) => Effect.Effect<void, never, Scope.Scope>
  /** One request to one peer on a named protocol; fails with TransportError. */
  readonly request: (peer: string, protocol: string, data: Uint8Array) => Effect.Effect<Uint8Array, TransportError>
  /** Answer requests on a protocol until the scope closes. */
  readonly serve: (protocol: string, handler: RequestHandler) => Effect.Effect<void, never, Scope.Scope>
  /** Peers currently reachable from here (excluding self), sorted. */
  readonly peers: Effect.Effect<ReadonlyArray<string>>
}

export class Transport extends Context.Tag("quilbun/transport/Transport")<Transport, TransportService>() {}
