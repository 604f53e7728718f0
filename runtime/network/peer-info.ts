// A read-only view of the host's connected peers for the admin API and the node's known-peer list:
// one row per peer (its connections merged), without handing raw libp2p objects outside runtime/network.
import { Effect, Option } from "effect"
import type { P2PHostService } from "./host.ts"

export interface PeerInfo {
  readonly id: string
  /** addresses the peer listens on (identify), each ending in `/p2p/<id>`; else the connection's remote address */
  readonly addresses: ReadonlyArray<string>
  readonly direction: "inbound" | "outbound"
  /** gossipsub score (negative after rejected deliveries) */
  readonly score: number
  /** round-trip time of a ping made for this listing (or libp2p's last one); null when neither answered */
  readonly latencyMs: number | null
}

/** A listing waits at most this long for the pings. */
const PING_TIMEOUT = "1 second"

const withPeerId = (address: string, id: string): string => (address.includes("/p2p/") ? address : `${address}/p2p/${id}`)

/**
 * Connected peers, sorted by id. Never fails: a peer-store miss falls back to the connection address.
 * `measureLatency` pings every peer (bounded by PING_TIMEOUT); without it only libp2p's last rtt is used.
 */
export const describePeers = (host: P2PHostService, measureLatency = true): Effect.Effect<ReadonlyArray<PeerInfo>> =>
  Effect.suspend(() =>
    Effect.forEach(
      [...new Set(host.libp2p.getConnections().map((c) => c.remotePeer.toString()))].sort(),
      (id) =>
        Effect.gen(function* () {
          const connections = host.libp2p.getConnections().filter((c) => c.remotePeer.toString() === id)
          const first = connections[0]
          const listening =
            first === undefined
              ? []
              : yield* Effect.tryPromise(() => host.libp2p.peerStore.get(first.remotePeer)).pipe(
                  Effect.map((peer) => peer.addresses.map((a) => withPeerId(a.multiaddr.toString(), id))),
                  Effect.orElseSucceed((): ReadonlyArray<string> => []),
                )
          const addresses = listening.length > 0 ? listening : connections.map((c) => withPeerId(c.remoteAddr.toString(), id))
          const pinged = measureLatency ? yield* host.ping(id).pipe(Effect.timeout(PING_TIMEOUT), Effect.option) : Option.none()
          const rtt = Option.isSome(pinged) ? pinged.value : connections.map((c) => c.rtt).find((r): r is number => r !== undefined)
          return {
            id,
            addresses,
            direction: first?.direction === "inbound" ? "inbound" : "outbound",
            score: host.pubsub.score(id),
            latencyMs: rtt ?? null,
          } satisfies PeerInfo
        }),
      { concurrency: "unbounded" },
    ),
  )
