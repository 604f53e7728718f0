// Opt-in `engine.autoJoin` (issue #16 item 3): the master plans its own joins. For each configured shard
// filter (at most one per data worker, one shard per worker) it joins once the node follows the chain,
// confirms inside the window once the confirm delay passed, and joins again when the allocation has left
// (a refused or expired join, a confirmed leave). It submits through the same path as the route
// (prover-ops.ts), so the registry's dry run and every check apply; a refusal is logged and retried later.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, Layer, Schedule } from "effect"
import { DEVNET_LIFECYCLE, type LifecycleParams, MAINNET_LIFECYCLE } from "../../intrinsics/global/index.ts"
import type { NodeConfig } from "../../config/index.ts"
import type { ProverView } from "../api/backend.ts"
import { WorkerPool } from "../kernel/process/worker-pool.ts"
import { NodeConsensus } from "./consensus.ts"
import { makeSubmitLifecycle } from "./prover-ops.ts"
import { ShardHosts } from "./shard-hosts.ts"

const EVERY = "2 seconds"
/** A head older than this means the node is still catching up: it would sign at a stale frame. */
const FOLLOWING_WITHIN_MS = 30_000

export type AutoJoinStep = { readonly operation: "join" | "confirm"; readonly filters: ReadonlyArray<string> }

/** Head frame at which each (operation, filter) was last submitted: not again while it may still be carried. */
export type AutoJoinSubmitted = ReadonlyMap<string, number>

/**
 * What to submit now for `wanted` (lower-case hex filters), given the prover as the registry shows it at
 * `head`: joins for filters it holds no live allocation on, confirms for joins inside their window. A
 * submission is not repeated until `params.joinMaxAge` + 2 frames passed (by then a frame carried it or
 * it is stale). A kicked prover plans nothing.
 */
export const planAutoJoin = (
  wanted: ReadonlyArray<string>,
  prover: ProverView | undefined,
  head: number,
  params: LifecycleParams,
  submitted: AutoJoinSubmitted,
): ReadonlyArray<AutoJoinStep> => {
  if (prover?.status === "Kicked") return []
  const quiet = Number(params.joinMaxAge) + 2
  const fresh = (operation: string, filter: string) => {
    const at = submitted.get(`${operation}:${filter}`)
    return at === undefined || head - at > quiet
  }
  const join: Array<string> = []
  const confirm: Array<string> = []
  for (const filter of wanted) {
    const a = prover?.allocations.find((x) => x.filter === filter)
    const joinedAt = a === undefined ? 0 : Number(a.joinFrameNumber)
    // Frames between the join and the frame that would carry a confirm (the next one).
    const elapsed = head + 1 - joinedAt
    const expired = a?.status === "Joining" && elapsed > Number(params.lifecycleWindow)
    if ((a === undefined || a.status === "Rejected" || expired) && fresh("join", filter)) join.push(filter)
    else if (a?.status === "Joining" && elapsed >= Number(params.confirmDelay) && !expired && fresh("confirm", filter)) confirm.push(filter)
  }
  return [
    ...(join.length > 0 ? [{ operation: "join" as const, filters: join }] : []),
    ...(confirm.length > 0 ? [{ operation: "confirm" as const, filters: confirm }] : []),
  ]
}

/** Runs the plan every few seconds for the node's life; nothing when `engine.autoJoin` is absent or empty. */
export const AutoJoinLive = (config: NodeConfig) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const configured = (config.engine.autoJoin ?? []).map((f) => f.toLowerCase())
      if (configured.length === 0) return
      const consensus = yield* NodeConsensus
      const hosts = yield* ShardHosts
      const pool = yield* WorkerPool
      const lifecycle = consensus.lifecycle
      if (lifecycle === undefined) return yield* Effect.logWarning("engine.autoJoin is set but this node runs no global consensus: nothing is joined")
      // One shard per data worker: the filters past the worker count wait for more workers.
      const wanted = configured.slice(0, pool.cores.length)
      if (wanted.length < configured.length)
        yield* Effect.logWarning("engine.autoJoin names more shards than this node has data workers; joining the first ones").pipe(
          Effect.annotateLogs({ configured: configured.length, workers: pool.cores.length }),
        )
      const params = config.p2p.networkId === 0 ? MAINNET_LIFECYCLE : DEVNET_LIFECYCLE
      const submit = makeSubmitLifecycle(consensus, hosts)
      const address = lifecycle.signer.address
      const submitted = new Map<string, number>()
      const round = Effect.gen(function* () {
        const head = yield* consensus.head
        if (head.frameNumber === 0 || (yield* Clock.currentTimeMillis) - head.timestamp > FOLLOWING_WITHIN_MS) return
        const prover = consensus.prover === undefined ? undefined : yield* consensus.prover(address)
        for (const step of planAutoJoin(wanted, prover, head.frameNumber, params, submitted)) {
          for (const f of step.filters) submitted.set(`${step.operation}:${f}`, head.frameNumber)
          yield* submit({ operation: step.operation, filters: step.filters }).pipe(
            Effect.tap((s) =>
              Effect.logInfo("auto-join submitted").pipe(
                Effect.annotateLogs({ operation: s.operation, frameNumber: s.frameNumber, filters: step.filters.length }),
              ),
            ),
            Effect.catchAll((e) =>
              Effect.logInfo("auto-join not submitted").pipe(
                Effect.annotateLogs({ operation: step.operation, reason: e._tag === "LifecycleInvalid" ? e.detail : e.reason }),
              ),
            ),
          )
        }
      }).pipe(Effect.catchAll((e) => Effect.logDebug("auto-join waits").pipe(Effect.annotateLogs({ reason: e.reason }))))
      yield* Effect.logInfo("auto-join on").pipe(Effect.annotateLogs({ prover: bytesToHex(address), shards: wanted.length }))
      yield* round.pipe(Effect.repeat(Schedule.spaced(EVERY)), Effect.forkScoped)
    }),
  )
