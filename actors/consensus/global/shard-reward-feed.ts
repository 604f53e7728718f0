// The prover registry's RewardFeed over this node's committed global chain: each committed frame's
// ProverShardUpdates (D-GC-17) with the inputs of their rewards (consensus.md §9), and its prover
// lifecycle requests (D-GC-19) with the VDF challenges a join names. Reads the store, not
// the consensus actor, so paying never waits on a busy engine and a restart re-reads what it missed.
import { sha3_256 } from "@noble/hashes/sha3.js"
import { Effect, Either, Layer } from "effect"
import { Store } from "../../../runtime/store/index.ts"
import type { CommittedCredits, ShardFrameCredit } from "../../prover-registry/reward-feed.ts"
import { RewardFeed } from "../../prover-registry/reward-feed.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import { decodeProverShardUpdate } from "../core/messages/prover-shard-update.ts"
import { committedChain } from "./committed-chain.ts"
import { lifecycleOpsOf } from "./lifecycle-requests.ts"

/** World and shard sizes for a shard's reward: `hypergraph.GetSize()` and the shard's metadata (§9). */
export type ShardSizes = (shard: Uint8Array) => { readonly worldSize: bigint; readonly stateSize: bigint; readonly leafCount: bigint }

/**
 * The master holds no hypergraph yet (global frames carry zero commitments, D-GC-10), so no node knows a
 * shard's real size. Until it does, every node pays with the same nominal sizes — the spec's worked
 * example: a 10 GiB world, 0.5 GiB shards of one leaf (D-REWARD-6).
 */
export const nominalShardSizes: ShardSizes = () => ({ worldSize: 10n << 30n, stateSize: 1n << 29n, leafCount: 1n })

/** Updates a committed frame carries, in request order; requests that are not updates are not paid. */
const shardCreditsOf = (frame: GlobalFrame, sizes: ShardSizes): ReadonlyArray<ShardFrameCredit> =>
  frame.requests.flatMap((request) => {
    const decoded = decodeProverShardUpdate(request)
    if (Either.isLeft(decoded)) return []
    const header = decoded.right.header
    const signature = header.publicKeySignatureBls48581
    if (signature === undefined) return []
    return [{ shard: header.address, difficulty: BigInt(header.difficulty), bitmask: signature.bitmask, ...sizes(header.address) }]
  })

export const ShardRewardFeedLive = (sizes: ShardSizes = nominalShardSizes): Layer.Layer<RewardFeed, never, Store> =>
  Layer.effect(
    RewardFeed,
    Effect.map(Store, (store) => {
      const chain = committedChain(store)
      return {
        committedHead: store.read(chain.headNumber).pipe(Effect.orElseSucceed(() => 0n)),
        committed: (from: bigint, to: bigint) =>
          store
            .read(() => {
              const out: Array<CommittedCredits> = []
              for (let n = from; n <= to; n++) {
                const certified = chain.frame(n)
                if (certified === undefined) break
                out.push({
                  globalFrameNumber: n,
                  updates: shardCreditsOf(certified.frame, sizes),
                  lifecycle: lifecycleOpsOf(certified.frame.requests),
                })
              }
              return out
            })
            .pipe(Effect.orElseSucceed((): ReadonlyArray<CommittedCredits> => [])),
        // §4.6 step 2: challenge = SHA3-256(output), at the frame's own difficulty.
        joinChallenge: (n: bigint) =>
          store
            .read(() => {
              const header = chain.frame(n)?.frame.header
              return header === undefined ? undefined : { challenge: sha3_256(header.output), difficulty: header.difficulty }
            })
            .pipe(Effect.orElseSucceed(() => undefined)),
      }
    }),
  )
