// The worker side of the master link: serves the control requests (ping, status, snapshot,
// metrics, log level) and actor requests from the master, and announces "ready" once the
// worker's layers are up. Transport-agnostic: pass the Bun IPC transport or a future TCP one.
import { Clock, Context, Effect, Either, Exit, Layer, Schema } from "effect"
import { LogLevelControl } from "../logging.ts"
import { snapshotFamilies } from "../metrics/effect-snapshot.ts"
import { ActorEnvelope, SetLogLevel, WorkerTag, type WorkerStatus } from "./protocol.ts"
import { makeRpcPeer, type RpcFork, type RpcPeer } from "./rpc.ts"
import type { WorkerTransport } from "./transport.ts"

/** What the worker's actor system offers to the master across the link. */
export interface ActorEndpoint {
  /** Decodes `message` with the target's protocol, asks, and returns the encoded reply. */
  readonly ask: (path: string, message: unknown) => Effect.Effect<unknown, unknown>
  /**
   * `ask` in callback form (the hot path): calls `respond` once with the encoded reply, or with
   * the failure `ask` would fail with; forks through `fork` only what has to wait.
   */
  readonly serveAsk: (
    path: string,
    message: unknown,
    respond: (exit: Exit.Exit<unknown, unknown>) => void,
    fork: RpcFork
  ) => void
  readonly tell: (path: string, message: unknown) => Effect.Effect<void, unknown>
  /** The worker's supervision tree as plain data. */
  readonly snapshot: Effect.Effect<unknown>
}

export class WorkerLink extends Context.Tag("quilbun/WorkerLink")<WorkerLink, RpcPeer>() {}

const decodeEnvelope = Schema.decodeUnknown(ActorEnvelope)
const decodeEnvelopeEither = Schema.decodeUnknownEither(ActorEnvelope)
const decodeLogLevel = Schema.decodeUnknown(SetLogLevel)

export interface WorkerHostOptions {
  readonly core: number
  readonly transport: WorkerTransport
  readonly endpoint: ActorEndpoint
}

export const WorkerHostLive = (options: WorkerHostOptions): Layer.Layer<WorkerLink, never, LogLevelControl> =>
  Layer.scoped(
    WorkerLink,
    Effect.gen(function* () {
      const logLevel = yield* LogLevelControl
      const startedAt = yield* Clock.currentTimeMillis
      const { endpoint } = options
      const peer = yield* makeRpcPeer(options.transport, {
        core: 0,
        handlers: {
          [WorkerTag.ping]: (payload) => Effect.succeed(payload),
          [WorkerTag.status]: () =>
            Effect.zipWith(Clock.currentTimeMillis, logLevel.get, (now, level): WorkerStatus => {
              const memory = process.memoryUsage()
              return {
                core: options.core,
                pid: process.pid,
                uptimeMs: now - startedAt,
                rssBytes: memory.rss,
                heapUsedBytes: memory.heapUsed,
                logLevel: level
              }
            }),
          [WorkerTag.snapshot]: () => endpoint.snapshot,
          [WorkerTag.metrics]: () => snapshotFamilies,
          [WorkerTag.logLevel]: (payload) =>
            decodeLogLevel(payload).pipe(Effect.flatMap(({ level }) => logLevel.set(level))),
          [WorkerTag.actorTell]: (payload) =>
            Effect.flatMap(decodeEnvelope(payload), ([path, message]) => endpoint.tell(path, message))
        },
        direct: {
          // Hot path: the envelope is our own tuple; only its shape is checked here, the message
          // itself is decoded by the target actor's protocol.
          [WorkerTag.actorAsk]: (payload, respond, fork) => {
            if (Array.isArray(payload) && payload.length === 2 && typeof payload[0] === "string") {
              endpoint.serveAsk(payload[0], payload[1], respond, fork)
            } else {
              const decoded = decodeEnvelopeEither(payload)
              if (Either.isLeft(decoded)) respond(Exit.fail(decoded.left))
              else endpoint.serveAsk(decoded.right[0], decoded.right[1], respond, fork)
            }
          }
        }
      })
      return peer
    })
  )

/** Sends "ready" to the master; put it last in the worker's layer graph. */
export const announceReady = (core: number) =>
  Effect.flatMap(WorkerLink, (link) =>
    Effect.sync(() => link.tell(WorkerTag.ready, { core, pid: process.pid })).pipe(
      Effect.zipRight(Effect.logInfo("worker ready").pipe(Effect.annotateLogs({ core })))
    )
  )
