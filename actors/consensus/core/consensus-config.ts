// Timing and production parameters of a HotStuff engine, whatever its chain (the global engine's are
// built in actors/consensus/global/config.ts).
import type { TimeoutConfig } from "./timeout-controller.ts"

export interface ConsensusTiming {
  readonly timeouts: TimeoutConfig
  /** Delay between entering a rank as leader and publishing the proposal (reference: 8 s). */
  readonly proposalDelayMs: number
  /** Time between commits on a healthy network; ten of them without a commit is a logged stall. */
  readonly expectedFrameIntervalMs: number
  /** When set, the replica timeout follows the pace of recent healthy ranks down to this floor (rank-pace.ts). */
  readonly adaptiveFloorMs?: number
}

export interface ConsensusConfig {
  /** p2p network id (99 = devnet). */
  readonly network: number
  readonly timing: ConsensusTiming
  /** Genesis header timestamp (ms); fixed so every node derives the same genesis. */
  readonly genesisTimestamp: bigint
  /** Genesis difficulty (also the VDF difficulty when `difficulty` is absent). */
  readonly genesisDifficulty: number
  /** VDF difficulty for the frame proposed at `rank` with header timestamp `timestamp` (§1.5 step 7). */
  readonly difficulty?: (rank: bigint, timestamp: bigint) => number
  /**
   * Devnet/test only: leaders stop proposing frames above this number, so a run can end with every
   * node on the same committed head.
   */
  readonly stopAfterFrame?: bigint
  /** Sync: frames per response. */
  readonly syncBatch: number
  /** Minimum time between two progress lines of a long catch-up sync (default 10 s). */
  readonly syncProgressLogIntervalMs?: number
}
