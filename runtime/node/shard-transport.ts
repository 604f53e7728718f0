// The Transport an app shard's consensus sees inside a data worker. Workers have no libp2p host: their
// shard traffic goes through the master's shard relay (actors/shard-relay), one shard per worker —
// proposals, votes and timeouts on the shard's consensus channel, requests (the shard's sync) in the
// relay's request envelope, and the peers a quorum needs from the master's subscription of the
// consensus channel. Bundles other nodes gossip on the shard's prover channel go to `bundles`. A node
// without a host (the single-node devnet) answers NetworkUnavailable; the shard then runs over a
// one-endpoint in-memory network, as the master's global engine does, and a one-prover committee needs
// nobody else.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, type Scope } from "effect"
import type { ShardNetworkService } from "../../actors/shard-relay/index.ts"
import { makeInMemoryNetwork } from "../kernel/transport/in-memory.ts"
import { type RequestHandler, TransportError, type TransportService } from "../kernel/transport/transport.ts"
import type { Verdict } from "../network/bitmask-pubsub.ts"
import { bloomFilter, shardChannels } from "../network/bitmask.ts"

/** How long one answer of the master about the shard's peers is reused. */
const PEERS_FRESH_MS = 1_000

/** Bundles gossiped to the shard by other nodes (the prover channel). */
export interface ShardBundleSink {
  /** Runs before the bundle spreads further: reject penalises the sender. */
  readonly validate: (bundle: Uint8Array) => Verdict
  readonly accept: (bundle: Uint8Array, from: string) => Effect.Effect<void>
}

/**
 * A Transport for one shard: its consensus channel and requests through the relay, or (no p2p host) a
 * private in-memory endpoint. Lives for the Scope (the shard is deactivated when it closes).
 */
export const shardTransport = (
  network: ShardNetworkService,
  address: Uint8Array,
  peerId: string,
  bundles?: ShardBundleSink,
): Effect.Effect<TransportService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const appFilter = bloomFilter(address)
    const consensus = shardChannels(appFilter).consensus
    const handlers: Array<(m: { readonly from: string; readonly data: Uint8Array }) => void> = []
    const served = new Map<string, RequestHandler>()
    let lastPeers: { readonly at: number; readonly peers: ReadonlyArray<string> } | undefined
    const activated = yield* Effect.either(
      network.activate(appFilter, {
        validate: (m) => Effect.sync(() => (m.channel === "prover" && bundles !== undefined ? bundles.validate(m.payload) : "accept")),
        onMessage: (m) =>
          Effect.suspend(() => {
            if (m.channel === "prover" && bundles !== undefined) return bundles.accept(m.payload, m.from)
            if (m.channel === "consensus") for (const h of handlers) h({ from: m.from, data: m.payload })
            return Effect.void
          }),
        serve: (protocol, from, data) => {
          const handler = served.get(protocol)
          return handler === undefined
            ? Effect.fail(new TransportError({ reason: "no-handler", detail: `${protocol} is not served for this shard` }))
            : handler(from, data)
        },
      }),
    )
    if (activated._tag === "Left") {
      if (activated.left._tag !== "NetworkUnavailable")
        yield* Effect.logWarning(`shard relay refused ${bytesToHex(address)}: ${activated.left._tag}; running it locally`)
      const local = yield* makeInMemoryNetwork({ seed: 1 })
      return yield* local.endpoint(peerId)
    }
    yield* Effect.addFinalizer(() => Effect.ignore(activated.right))
    const transport: TransportService = {
      peerId,
      publish: (bitmask, data) =>
        bytesToHex(bitmask) === bytesToHex(consensus)
          ? Effect.ignore(network.publish(appFilter, "consensus", data))
          : Effect.logWarning(`app shard published on an unrelayed bitmask ${bytesToHex(bitmask)}`),
      subscribe: (bitmask, handler) =>
        bytesToHex(bitmask) === bytesToHex(consensus)
          ? Effect.acquireRelease(
              Effect.sync(() => {
                const own = (m: { readonly from: string; readonly data: Uint8Array }) => handler({ from: m.from, data: m.data, bitmask })
                handlers.push(own)
                return own
              }),
              // Release by identity: another subscriber's handler may have been pushed after this one.
              (own) =>
                Effect.sync(() => {
                  const at = handlers.indexOf(own)
                  if (at >= 0) handlers.splice(at, 1)
                }),
            ).pipe(Effect.asVoid)
          : Effect.void,
      request: (peer, protocol, data) => network.request(appFilter, peer, protocol, data),
      serve: (protocol, handler) =>
        Effect.acquireRelease(
          Effect.sync(() => void served.set(protocol, handler)),
          () => Effect.sync(() => void served.delete(protocol)),
        ),
      // The peers of the shard's consensus channel: the nodes whose workers cover it. Each answer is an
      // ask to the master; the engine's proposal gate and the coverage monitor both read it, so an
      // answer younger than PEERS_FRESH_MS serves both (one source, one ask).
      peers: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        lastPeers !== undefined && now - lastPeers.at < PEERS_FRESH_MS
          ? Effect.succeed(lastPeers.peers)
          : Effect.map(network.peers(appFilter, "consensus"), (answer) => {
              const peers = [...answer].sort()
              lastPeers = { at: now, peers }
              return peers
            }),
      ),
    }
    return transport
  })
