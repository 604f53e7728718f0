// What the libp2p transport checks for the global consensus before the engine sees anything:
// the consensus bitmask only carries decodable proposals, votes and timeouts (anything else is
// rejected at the pubsub layer, which penalises the sender's score and stops the message from being
// forwarded), and a sync request must be well formed and ask for at most `maxRange` frames.
// Signatures, VDFs and QCs are the engine's job: it verifies every synced frame before inserting it.
// The prover bitmask (GLOBAL_PROVER) carries only prover lifecycle requests whose operation decodes
// (D-GC-20); whether one applies is the registry's question at the committed frame.
import { Either } from "effect"
import { MAX_SYNC_FRAMES } from "../core/sync-server.ts"
import { decodeSyncRequest, decodeWire, GLOBAL_CONSENSUS_BITMASK, GLOBAL_SYNC_PROTOCOL } from "./wire.ts"
import { isProposableLifecycle } from "./lifecycle-requests.ts"
import { GLOBAL_PROVER } from "../../../runtime/network/bitmask.ts"
import type { Verdict } from "../../../runtime/network/bitmask-pubsub.ts"
import { defaultLibp2pTransportConfig, type Libp2pTransportConfig, type RequestGuard } from "../../../runtime/network/libp2p-transport.ts"

/** The engine's sync server answers at most this many frames per request (core/sync-server.ts). */
export const MAX_SYNC_RANGE = MAX_SYNC_FRAMES

const validateConsensusPayload = (payload: Uint8Array): Verdict => (decodeWire(payload)._tag === "Undecodable" ? "reject" : "accept")

const validateProverPayload = (payload: Uint8Array): Verdict => (isProposableLifecycle(payload) ? "accept" : "reject")

const syncRequestGuard =
  (maxRange: number = MAX_SYNC_RANGE): RequestGuard =>
  (data) => {
    const request = decodeSyncRequest(data)
    if (Either.isLeft(request)) return `undecodable sync request: ${String(request.left)}`
    if (request.right.limit === 0) return "sync request for zero frames"
    if (request.right.limit > maxRange) return `sync range ${request.right.limit} exceeds ${maxRange}`
    return undefined
  }

/** Transport config for a global-consensus node: defaults plus the consensus validator and sync guard. */
export const globalConsensusTransportConfig = (
  overrides: Partial<Libp2pTransportConfig> = {},
  maxSyncRange: number = MAX_SYNC_RANGE,
): Libp2pTransportConfig => ({
  ...defaultLibp2pTransportConfig,
  ...overrides,
  validators: [
    ...(overrides.validators ?? []),
    { bitmask: GLOBAL_CONSENSUS_BITMASK, validate: validateConsensusPayload },
    { bitmask: GLOBAL_PROVER, validate: validateProverPayload },
  ],
  guards: new Map([...(overrides.guards ?? []), [GLOBAL_SYNC_PROTOCOL, syncRequestGuard(maxSyncRange)]]),
})
