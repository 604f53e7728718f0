// The transport a data worker and its master talk over. It only moves framed messages; the
// request/reply protocol (rpc.ts) sits on top, so a TCP transport for clustered mode can replace
// the Bun IPC pipe without touching anything above it.
import type { Effect } from "effect"

/**
 * One message on the wire: `[id, tag, payload]`. Plain tuples keep the hot path free of class
 * instances (they would lose their prototype under structured clone anyway).
 * - id > 0 with a request tag: a request expecting a reply with the same id;
 * - id = 0: a one-way message (tell, event);
 * - tag "ok" / "err": the reply to the request with that id.
 */
export type Frame = readonly [id: number, tag: string, payload: unknown]

/** Why the link ended: the peer process exited, or the pipe closed. */
export interface TransportClosed {
  readonly exitCode: number | null
  readonly signal: string | null
}

export interface WorkerTransport {
  /** Sends one frame; returns false when the link is already closed (the frame is dropped). */
  readonly send: (frame: Frame) => boolean
  /**
   * Installs the handler of frames accepted by `send` that then could not be written (e.g. a
   * payload structured clone refuses): sends may be written later, batched, so the sender hears
   * of such a failure here instead of from `send`'s result.
   */
  readonly undeliverable: (handler: (frame: Frame) => void) => void
  /** Installs the receiver of incoming frames (one receiver; frames before it are buffered). */
  readonly receive: (handler: (frame: Frame) => void) => void
  /** Completes once, when the link is gone for good. */
  readonly closed: Effect.Effect<TransportClosed>
  /** Closes our end of the link. */
  readonly close: Effect.Effect<void>
}

/**
 * Several frames written as one IPC message: an array of frames (a frame's first element is a
 * number, a batch's is an array, so the two cannot be confused).
 */
export const isFrameBatch = (value: unknown): value is ReadonlyArray<unknown> => Array.isArray(value) && value.length > 0 && Array.isArray(value[0])

/** Cheap structural check for frames arriving from outside our own code. */
export const isFrame = (value: unknown): value is Frame =>
  Array.isArray(value) && value.length === 3 && typeof value[0] === "number" && typeof value[1] === "string"
