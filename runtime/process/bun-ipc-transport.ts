// WorkerTransport over Bun's built-in IPC pipe (`Bun.spawn({ipc, serialization: "advanced"})` on
// the master side, `process.send` / `process.on("message")` in the worker).
import type { Subprocess } from "bun"
import { Deferred, Effect, Exit, FiberId } from "effect"
import { isFrame, type Frame, type TransportClosed, type WorkerTransport } from "./transport.ts"

const signalName = (signal: string | number | null | undefined): string | null =>
  signal === null || signal === undefined ? null : String(signal)

/** Delivers frames to the receiver, buffering those that arrive before it is installed. */
const makeInbox = () => {
  let handler: ((frame: Frame) => void) | undefined
  const early: Array<Frame> = []
  return {
    push: (message: unknown): void => {
      if (!isFrame(message)) return // not ours: ignore rather than crash the link
      if (handler === undefined) early.push(message)
      else handler(message)
    },
    receive: (h: (frame: Frame) => void): void => {
      handler = h
      for (const frame of early.splice(0)) h(frame)
    }
  }
}

/**
 * The master's end of one worker's pipe. Bun wants the IPC callbacks at spawn time, so this is
 * created first (its callbacks go into `Bun.spawn`) and then bound to the subprocess.
 */
export const makeParentIpcLink = () => {
  const inbox = makeInbox()
  const closed = Deferred.unsafeMake<TransportClosed>(FiberId.none)
  let proc: Subprocess | undefined
  let open = true
  const finish = (info: TransportClosed): void => {
    open = false
    Deferred.unsafeDone(closed, Exit.succeed(info))
  }
  const transport: WorkerTransport = {
    send: (frame) => {
      if (!open || proc === undefined) return false
      try {
        proc.send(frame)
        return true
      } catch {
        return false
      }
    },
    receive: inbox.receive,
    closed: Deferred.await(closed),
    close: Effect.sync(() => {
      if (open && proc !== undefined) {
        try {
          proc.disconnect()
        } catch {
          // already gone
        }
      }
    })
  }
  return {
    transport,
    /** Pass to `Bun.spawn({ ipc })`. */
    onMessage: (message: unknown): void => inbox.push(message),
    /** Pass to `Bun.spawn({ onDisconnect })`. */
    onDisconnect: (): void => {
      // The exit status usually follows right after; prefer it when it arrives first.
      if (proc !== undefined && proc.exitCode === null && proc.signalCode === null) {
        void proc.exited.then(() => finish({ exitCode: proc?.exitCode ?? null, signal: signalName(proc?.signalCode) }))
        open = false
      } else {
        finish({ exitCode: proc?.exitCode ?? null, signal: signalName(proc?.signalCode) })
      }
    },
    bind: (subprocess: Subprocess): void => {
      proc = subprocess
      void subprocess.exited.then(() =>
        finish({ exitCode: subprocess.exitCode, signal: signalName(subprocess.signalCode) })
      )
    }
  }
}

/** The worker's end of the pipe to its master (only valid in a process spawned with `ipc`). */
export const makeChildIpcTransport = (): WorkerTransport => {
  const inbox = makeInbox()
  const closed = Deferred.unsafeMake<TransportClosed>(FiberId.none)
  let open = typeof process.send === "function" && process.connected !== false
  process.on("message", (message: unknown) => inbox.push(message))
  process.once("disconnect", () => {
    open = false
    Deferred.unsafeDone(closed, Exit.succeed({ exitCode: null, signal: null }))
  })
  return {
    send: (frame) => {
      if (!open || process.send === undefined) return false
      try {
        process.send(frame)
        return true
      } catch {
        return false
      }
    },
    receive: inbox.receive,
    closed: Deferred.await(closed),
    close: Effect.sync(() => {
      if (open) process.disconnect?.()
    })
  }
}
