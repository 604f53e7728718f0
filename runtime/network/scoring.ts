// Peer-scoring parameters mapped from the Go node's BlossomSub parameters (node.md §4.3) onto
// gossipsub's score model. Mesh-delivery penalties stay off, as in the reference.
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from "@libp2p/gossipsub/score"

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** gossipsub's counters decay once per `decayInterval`; reach `decayToZero` after `decayTime`. */
const decayFactor = (decayTimeMillis: number, decayIntervalMillis: number, decayToZero: number): number =>
  decayToZero ** (decayIntervalMillis / decayTimeMillis)

const DECAY_INTERVAL_MILLIS = 10 * MINUTE
const DECAY_TO_ZERO = 0.1

/** Per-slice-topic parameters. */
export const topicScoreParams = (): Partial<TopicScoreParams> => ({
  topicWeight: 0.1,
  // Go: 0.00027 per second, contribution capped at ~1 (one hour in the mesh).
  timeInMeshWeight: 0.00027,
  timeInMeshQuantum: SECOND,
  timeInMeshCap: 3600,
  firstMessageDeliveriesWeight: 5,
  firstMessageDeliveriesDecay: decayFactor(10 * MINUTE, DECAY_INTERVAL_MILLIS, DECAY_TO_ZERO),
  firstMessageDeliveriesCap: 10000,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  // Rejected messages (validator says Reject) cost the sender: P4.
  invalidMessageDeliveriesWeight: -1000,
  invalidMessageDeliveriesDecay: decayFactor(HOUR, DECAY_INTERVAL_MILLIS, DECAY_TO_ZERO),
})

export interface ScoringOptions {
  /** IP colocation is penalised on mainnet only (network 0); elsewhere many nodes share a host */
  readonly mainnet: boolean
}

export const peerScoreParams = (options: ScoringOptions): Partial<PeerScoreParams> => ({
  topics: {},
  appSpecificWeight: 10,
  IPColocationFactorWeight: options.mainnet ? -100 : 0,
  IPColocationFactorThreshold: 6,
  behaviourPenaltyWeight: -10,
  behaviourPenaltyThreshold: 6,
  behaviourPenaltyDecay: 0.5,
  decayInterval: DECAY_INTERVAL_MILLIS,
  decayToZero: DECAY_TO_ZERO,
  retainScore: HOUR,
})

export const peerScoreThresholds = (): Partial<PeerScoreThresholds> => ({
  gossipThreshold: -500,
  publishThreshold: -1000,
  graylistThreshold: -2500,
  acceptPXThreshold: 1000,
  opportunisticGraftThreshold: 3.5,
})
