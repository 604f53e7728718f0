// The master ↔ data-worker protocol: request tags and the Schemas of their payloads. Control
// messages (ready, log level, status) are decoded with Schema where they arrive; the actor hot
// path ("actor.ask" / "actor.tell") carries plain tuples and leaves decoding to the protocol of
// the actor that receives the message.
import { Schema } from "effect"
import { LogLevelName } from "../logging.ts"

export const WorkerTag = {
  /** worker → master, one-way, once its actor system is up. */
  ready: "ready",
  /** master → worker: liveness round trip. */
  ping: "ping",
  /** master → worker: pid, memory, uptime. */
  status: "status",
  /** master → worker: the worker's supervision-tree snapshot. */
  snapshot: "snapshot",
  /** master → worker: the worker's metric families. */
  metrics: "metrics",
  /** master → worker: change the log level. */
  logLevel: "log-level",
  /** either way (to the actors the other side exports): `[path, encodedMessage]` → encoded ask reply. */
  actorAsk: "actor.ask",
  /** either way, one-way: `[path, encodedMessage]`. */
  actorTell: "actor.tell",
} as const

export const WorkerReady = Schema.Struct({
  core: Schema.Int,
  pid: Schema.Int,
})
export type WorkerReady = typeof WorkerReady.Type

export const WorkerStatus = Schema.Struct({
  core: Schema.Int,
  pid: Schema.Int,
  uptimeMs: Schema.Number,
  rssBytes: Schema.Number,
  heapUsedBytes: Schema.Number,
  logLevel: LogLevelName,
})
export type WorkerStatus = typeof WorkerStatus.Type

export const SetLogLevel = Schema.Struct({ level: LogLevelName })
export type SetLogLevel = typeof SetLogLevel.Type

/** `[path, message]` as sent by a remote actor ref. */
export const ActorEnvelope = Schema.Tuple(Schema.String, Schema.Unknown)
export type ActorEnvelope = typeof ActorEnvelope.Type

/** Arguments a master passes to `runtime/node/worker.ts`. */
export interface WorkerArgs {
  readonly core: number
  readonly dataDir: string
  readonly logFormat: "json" | "pretty"
  readonly logLevel: LogLevelName
  /** p2p network id (0 mainnet): the worker's intrinsics' activation gates depend on it. */
  readonly networkId: number
  /** Intrinsic plugin modules (absolute paths the master resolved) the worker imports at start. */
  readonly plugins?: ReadonlyArray<string>
}

export const workerArgv = (args: Omit<WorkerArgs, "networkId"> & { readonly networkId?: number }): ReadonlyArray<string> => [
  "--core",
  String(args.core),
  "--data-dir",
  args.dataDir,
  "--log-format",
  args.logFormat,
  "--log-level",
  args.logLevel,
  "--network",
  String(args.networkId ?? 0),
  ...(args.plugins ?? []).flatMap((p) => ["--plugin", p]),
]
