// A proposal whose state roots this node cannot reproduce (D-APP-1's BadStateRoots) names what
// diverged (DECISIONS D-APP-14): the shard, the intrinsic (plugin) that owns the shard's state, and
// which of the four id-set roots differ — in one ERROR log line and in
// `quilbun_app_state_root_divergences_total{shard, intrinsic}`. Nodes of one shard running different
// code for a plugin then show up at the first frame that touches it, instead of forking silently.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Metric } from "effect"
import { BadStateRoots } from "../core/frame-rejection.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import { describeOwner, type ShardOwner } from "./shard-owner.ts"

/** The id sets in shard-commit order (actors/execution/state/shard-commits.ts). */
const SET_NAMES = ["vertex-adds", "vertex-removes", "hyperedge-adds", "hyperedge-removes"]

const divergences = Metric.counter("quilbun_app_state_root_divergences_total", {
  description: "proposals whose state roots this node could not reproduce, by shard and the intrinsic owning its state",
  incremental: true,
})

export const stateRootDivergences = (shard: Uint8Array, intrinsic: string) =>
  Metric.tagged(Metric.tagged(divergences, "shard", bytesToHex(shard)), "intrinsic", intrinsic)

/** The names of the sets whose roots differ (all of them when the counts differ). */
export const differingSets = (proposed: ReadonlyArray<Uint8Array>, local: ReadonlyArray<Uint8Array>): Array<string> =>
  proposed.length !== local.length ? [...SET_NAMES] : SET_NAMES.filter((_, i) => !bytesEqual(proposed[i] ?? new Uint8Array(), local[i] ?? new Uint8Array()))

/** Logs and counts the divergence and answers the rejection, its detail naming shard, intrinsic and sets. */
export const stateRootsDiverged = (args: {
  readonly shard: Uint8Array
  readonly frameNumber: bigint
  readonly proposed: ReadonlyArray<Uint8Array>
  readonly local: ReadonlyArray<Uint8Array>
  readonly owner: ShardOwner | undefined
}): Effect.Effect<BadStateRoots> =>
  Effect.gen(function* () {
    const shard = bytesToHex(args.shard)
    const intrinsic = args.owner?.intrinsic ?? "unknown"
    const sets = differingSets(args.proposed, args.local)
    const who = args.owner === undefined ? "no loaded intrinsic" : describeOwner(args.owner)
    const detail = `state roots differ from this node's after frame ${args.frameNumber}: shard ${shard} intrinsic ${who} sets ${sets.join(",")}`
    yield* Metric.increment(stateRootDivergences(args.shard, intrinsic))
    yield* Effect.logError(`state roots diverge: shard=${shard} intrinsic=${intrinsic} frame=${args.frameNumber}`).pipe(
      Effect.annotateLogs({ owner: who, sets: sets.join(","), hint: "nodes of this shard run different code for this intrinsic, or its state differs" }),
    )
    return new BadStateRoots({ detail })
  })
