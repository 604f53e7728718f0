// One info line that tells the operator what the node is doing, at start and every 30 s:
//   status head=<n> rank=<n> peers=<n> workers=<up>/<total> frame_interval_ms=<n> rss_mib=<n> shards=<n> mempool=<n>
// Read from what the node already keeps (the consensus gauges, the peer list, the worker manager, the
// shards its workers cover), so printing it costs no work of its own. `bun run cli node status` prints
// the same line (GET /v1/status). Sync joins it when app shards sync.
import { Duration, Effect, Layer, Metric, Schedule } from "effect"
import { ListWorkers } from "../../actors/worker-manager/protocol.ts"
import { WorkerManagerRef } from "./worker-manager-ref.ts"
import { NodeConsensus } from "./consensus.ts"
import { currentRank, frameIntervalSeconds, headFrameNumber } from "./consensus-metrics.ts"
import { ShardHosts } from "./shard-hosts.ts"

const STATUS_EVERY = Duration.seconds(30)

interface StatusFields {
  readonly head: number
  readonly rank: number
  readonly peers: number
  readonly workersUp: number
  readonly workersTotal: number
  readonly frameIntervalMs: number
  readonly rssMib: number
  /** App shards this node's workers cover, and the bundles waiting in their mempools. */
  readonly shards: number
  readonly mempool: number
}

const formatStatus = (s: StatusFields): string =>
  `status head=${s.head} rank=${s.rank} peers=${s.peers} workers=${s.workersUp}/${s.workersTotal} frame_interval_ms=${s.frameIntervalMs} rss_mib=${s.rssMib} shards=${s.shards} mempool=${s.mempool}`

const gauge = (g: Metric.Metric.Gauge<number>) => Effect.map(Metric.value(g), (state) => state.value)

/** The status line as it is now (also served as GET /v1/status). */
export const statusLine = Effect.gen(function* () {
  const consensus = yield* NodeConsensus
  const manager = yield* WorkerManagerRef
  const shardHosts = yield* ShardHosts
  const workers = yield* manager.ask(new ListWorkers(), "5 seconds").pipe(Effect.orElseSucceed(() => []))
  const shards = yield* shardHosts.shards
  return formatStatus({
    head: yield* gauge(headFrameNumber),
    rank: yield* gauge(currentRank),
    peers: (yield* consensus.peers).length,
    workersUp: workers.filter((w) => w.state === "running").length,
    workersTotal: workers.length,
    frameIntervalMs: Math.round((yield* gauge(frameIntervalSeconds)) * 1000),
    rssMib: Math.round(process.memoryUsage().rss / (1024 * 1024)),
    shards: shards.length,
    mempool: shards.reduce((n, x) => n + x.mempool, 0),
  })
})

/** Logs the status line now and every 30 s for the layer's lifetime. */
export const StatusLineLive = Layer.scopedDiscard(
  Effect.forkScoped(
    statusLine.pipe(
      Effect.flatMap((line) => Effect.logInfo(line)),
      Effect.catchAllCause((cause) => Effect.logDebug("status line unavailable", cause)),
      Effect.repeat(Schedule.spaced(STATUS_EVERY)),
    ),
  ),
)
