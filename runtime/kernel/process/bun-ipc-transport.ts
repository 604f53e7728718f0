// WorkerTransport over Bun's built-in IPC pipe (`Bun.spawn({ipc, serialization: "advanced"})` on
// the master side, `process.send` / `process.on("message")` in the worker).
import type { Subprocess } from "bun"
import { Deferred, Effect, Exit, FiberId } from "effect"
import { isFrame, isFrameBatch, type Frame, type TransportClosed, type WorkerTransport } from "./transport.ts"

const signalName = (signal: string | number | null | undefined): string | null => (signal === null || signal === undefined ? null : String(signal))

/** Delivers frames to the receiver, buffering those that arrive before it is installed. */
const makeInbox = () => {
  let handler: ((frame: Frame) => void) | undefined
  const early: Array<Frame> = []
  const deliver = (message: unknown): void => {
    if (!isFrame(message)) return // not ours: ignore rather than crash the link
    if (handler === undefined) early.push(message)
    else handler(message)
  }
  return {
    push: (message: unknown): void => {
      if (isFrameBatch(message)) {
        for (const frame of message) deliver(frame)
      } else {
        deliver(message)
      }
    },
    receive: (h: (frame: Frame) => void): void => {
      handler = h
      for (const frame of early.splice(0)) h(frame)
    },
  }
}

/**
 * Coalesces frames sent in a burst into one IPC message. Each `process.send` is a serialization
 * plus a write syscall (5–30 µs measured in a worker, depending on load); under pipelined load one
 * write per tick saves most of them (measured: a modest +3–18% pipelined throughput, the fibers
 * dominate). The first frame after a quiet spell is written at once, so a lone request or reply
 * (a sequential ask) pays no batching delay; frames that follow it before the next microtask are
 * queued and written together there. A batch that cannot be written is retried frame by frame, so
 * one bad payload cannot take its neighbours down with it; the sender hears of any unwritable
 * frame through `undeliverable`, never from `push`.
 */
const makeOutbox = (write: (message: unknown) => void) => {
  let queue: Array<Frame> = []
  // True from a direct write until the microtask after it: frames in between are batched.
  let busy = false
  let dropped: ((frame: Frame) => void) | undefined
  const writeOne = (frame: Frame): boolean => {
    try {
      write(frame)
      return true
    } catch {
      return false
    }
  }
  /** Frames that could not be written are reported after the write attempt, never re-entrantly. */
  const reportDropped = (frames: ReadonlyArray<Frame>): void => {
    for (const frame of frames) dropped?.(frame)
  }
  const flush = (): void => {
    const frames = queue
    queue = []
    if (frames.length === 0) {
      busy = false
      return
    }
    // Stay busy through the next microtask: more frames sent meanwhile join the next batch.
    queueMicrotask(flush)
    if (frames.length === 1) {
      if (!writeOne(frames[0] as Frame)) reportDropped(frames)
      return
    }
    try {
      write(frames)
    } catch {
      reportDropped(frames.filter((frame) => !writeOne(frame)))
    }
  }
  return {
    push: (frame: Frame): void => {
      if (busy) {
        queue.push(frame)
        return
      }
      busy = true
      queueMicrotask(flush)
      if (!writeOne(frame)) {
        // Reported from the microtask, as a batched frame would be: `send` callers never see a
        // synchronous callback.
        queueMicrotask(() => reportDropped([frame]))
      }
    },
    undeliverable: (handler: (frame: Frame) => void): void => {
      dropped = handler
    },
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
  const outbox = makeOutbox((message) => {
    if (!open || proc === undefined) throw new Error("link closed")
    proc.send(message)
  })
  const transport: WorkerTransport = {
    send: (frame) => {
      if (!open || proc === undefined) return false
      outbox.push(frame)
      return true
    },
    undeliverable: outbox.undeliverable,
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
    }),
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
      void subprocess.exited.then(() => finish({ exitCode: subprocess.exitCode, signal: signalName(subprocess.signalCode) }))
    },
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
  const outbox = makeOutbox((message) => {
    if (!open || process.send === undefined) throw new Error("link closed")
    process.send(message)
  })
  return {
    send: (frame) => {
      if (!open || process.send === undefined) return false
      outbox.push(frame)
      return true
    },
    undeliverable: outbox.undeliverable,
    receive: inbox.receive,
    closed: Deferred.await(closed),
    close: Effect.sync(() => {
      if (open) process.disconnect?.()
    }),
  }
}
