// Timing and production parameters of the global consensus actor. The participant values are the
// reference's (consensus.md §3.3, §3.2: 36 s / 3 min / 1.2 / 6 / 28 s, proposals 8 s after rank entry);
// devnets use the fast profile so a simulated chain advances in tens of virtual milliseconds per frame.
import { asertParamsForNetwork, globalFrameDifficulty } from "../core/difficulty.ts"
import type { ConsensusConfig, ConsensusTiming } from "../core/consensus-config.ts"
import { MAX_SYNC_FRAMES } from "../core/sync-server.ts"
import { participantTimeoutConfig } from "../core/timeout-controller.ts"

export type GlobalConsensusTiming = ConsensusTiming

export const participantTiming: GlobalConsensusTiming = { timeouts: participantTimeoutConfig, proposalDelayMs: 8_000, expectedFrameIntervalMs: 10_000 }

export const devnetTiming: GlobalConsensusTiming = {
  timeouts: {
    minReplicaTimeoutMs: 600,
    maxReplicaTimeoutMs: 4_000,
    timeoutAdjustmentFactor: 1.2,
    happyPathMaxRoundFailures: 6,
    maxTimeoutStateRebroadcastIntervalMs: 300,
  },
  proposalDelayMs: 20,
  expectedFrameIntervalMs: 600,
}

/**
 * The devnet profile for a rank whose critical path (the leader's VDF solve, the pairing checks and
 * signatures of proposal, votes and QC) takes `rankWorkMs` on this machine. The pacemaker must give a
 * leader time to solve and its peers time to verify and vote before anyone times out: with 600 ms
 * against a 1 s solve every rank failed until the back-off had grown past it (≈ 10 timed-out ranks: the
 * ~20 s to a fresh devnet's first frame, and again after every restart), and with three provers one early
 * timeout ends the rank for all (the Bracha fast-join threshold is 1). Three times the work plus half a
 * second leaves room for nodes sharing their cores with each other.
 */
export const devnetTimingFor = (rankWorkMs: number): GlobalConsensusTiming => {
  const base = devnetTiming.timeouts
  const minReplicaTimeoutMs = Math.max(base.minReplicaTimeoutMs, Math.ceil(3 * rankWorkMs + 500))
  return {
    timeouts: { ...base, minReplicaTimeoutMs, maxReplicaTimeoutMs: Math.max(base.maxReplicaTimeoutMs, 4 * minReplicaTimeoutMs) },
    proposalDelayMs: devnetTiming.proposalDelayMs,
    expectedFrameIntervalMs: Math.max(devnetTiming.expectedFrameIntervalMs, Math.ceil(rankWorkMs + 500)),
    adaptiveFloorMs: base.minReplicaTimeoutMs,
  }
}

export type GlobalConsensusConfig = ConsensusConfig

/**
 * Frames asked per sync request: the most a sync server answers (runtime/network MAX_SYNC_RANGE), so a
 * catch-up spends the per-peer request budget as rarely as possible (64 gave ~525 frames/s over
 * libp2p against ~3,300 at 256; `bun run bench p2p`).
 */
export const SYNC_BATCH = MAX_SYNC_FRAMES

export const devnetConsensusConfig = (overrides: Partial<GlobalConsensusConfig> = {}): GlobalConsensusConfig => ({
  network: 99,
  timing: devnetTiming,
  genesisTimestamp: 1_700_000_000_000n,
  genesisDifficulty: 1,
  syncBatch: SYNC_BATCH,
  ...overrides,
})

/**
 * The node's consensus parameters from its loaded config (config/schema.ts): the devnet engine gets the
 * fast timing and a fixed difficulty (`engine.difficulty`, else 1), any other engine the participant
 * timing and the network's ASERT difficulty with the rank as frame number (D-DIFF-1).
 */
export const consensusConfigFromNode = (node: {
  readonly p2p: { readonly networkId: number }
  readonly engine: { readonly devnet: boolean; readonly difficulty?: number | undefined }
}): GlobalConsensusConfig => {
  const fixed = node.engine.difficulty
  if (node.engine.devnet) {
    return devnetConsensusConfig({ network: node.p2p.networkId, genesisDifficulty: fixed ?? 1, ...(fixed === undefined ? {} : { difficulty: () => fixed }) })
  }
  const params = asertParamsForNetwork(node.p2p.networkId)
  return {
    network: node.p2p.networkId,
    timing: participantTiming,
    genesisTimestamp: 1_700_000_000_000n,
    genesisDifficulty: fixed ?? Number(params.anchorDifficulty),
    difficulty: fixed === undefined ? (rank, timestamp) => globalFrameDifficulty(params, rank, timestamp) : () => fixed,
    syncBatch: SYNC_BATCH,
  }
}
