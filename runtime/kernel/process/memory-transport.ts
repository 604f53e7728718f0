// Two connected in-process WorkerTransports (tests, and a worker hosted in the master's process).
// Frames are delivered asynchronously and structured-cloned, like the real pipe.
import { Deferred, Effect, Exit, FiberId } from "effect"
import type { Frame, TransportClosed, WorkerTransport } from "./transport.ts"

export const makeMemoryTransportPair = (): {
  readonly a: WorkerTransport
  readonly b: WorkerTransport
  /** Simulates the other process dying: both ends close with this status. */
  readonly sever: (info: TransportClosed) => void
} => {
  const closed = Deferred.unsafeMake<TransportClosed>(FiberId.none)
  let open = true
  const sever = (info: TransportClosed): void => {
    open = false
    Deferred.unsafeDone(closed, Exit.succeed(info))
  }
  const end = () => {
    let handler: ((frame: Frame) => void) | undefined
    const early: Array<Frame> = []
    return {
      deliver: (frame: Frame) => {
        queueMicrotask(() => {
          if (!open) return
          if (handler === undefined) early.push(frame)
          else handler(frame)
        })
      },
      receive: (h: (frame: Frame) => void) => {
        handler = h
        for (const f of early.splice(0)) h(f)
      },
    }
  }
  const ea = end()
  const eb = end()
  const make = (self: ReturnType<typeof end>, other: ReturnType<typeof end>): WorkerTransport => ({
    send: (frame) => {
      if (!open) return false
      other.deliver(structuredClone(frame))
      return true
    },
    // Frames are cloned at send time, so a failure shows in `send` itself (it throws).
    undeliverable: () => {},
    receive: self.receive,
    closed: Deferred.await(closed),
    close: Effect.sync(() => sever({ exitCode: null, signal: null })),
  })
  return { a: make(ea, eb), b: make(eb, ea), sever }
}
