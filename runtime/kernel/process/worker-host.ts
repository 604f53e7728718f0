// The worker side of the master link: serves the control requests (ping, status, snapshot,
// metrics, log level) and actor requests from the master, and announces "ready" once the
// worker's layers are up. Transport-agnostic: pass the Bun IPC transport or a future TCP one.
import { Clock, Context, Effect, Layer, Schema } from "effect"
import { LogLevelControl } from "../logging.ts"
import { snapshotFamilies } from "../metrics/effect-snapshot.ts"
import { actorRequestHandlers, type ActorEndpoint } from "./actor-requests.ts"
import { SetLogLevel, WorkerTag, type WorkerStatus } from "./protocol.ts"
import { makeRpcPeer, type RpcPeer } from "./rpc.ts"
import type { WorkerTransport } from "./transport.ts"

export class WorkerLink extends Context.Tag("quilbun/WorkerLink")<WorkerLink, RpcPeer>() {}

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
      const requests = actorRequestHandlers(() => endpoint)
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
                logLevel: level,
              }
            }),
          [WorkerTag.snapshot]: () => endpoint.snapshot,
          [WorkerTag.metrics]: () => snapshotFamilies,
          [WorkerTag.logLevel]: (payload) => decodeLogLevel(payload).pipe(Effect.flatMap(({ level }) => logLevel.set(level))),
          ...requests.handlers,
        },
        direct: requests.direct,
      })
      return peer
    }),
  )

/** Sends "ready" to the master; put it last in the worker's layer graph. */
export const announceReady = (core: number) =>
  Effect.flatMap(WorkerLink, (link) =>
    Effect.sync(() => link.tell(WorkerTag.ready, { core, pid: process.pid })).pipe(
      Effect.zipRight(Effect.logInfo("worker ready").pipe(Effect.annotateLogs({ core }))),
    ),
  )
