// The Transport an app shard's consensus sees inside a data worker. Workers have no libp2p host: their
// shard traffic goes through the master's shard relay (actors/shard-relay), one shard per worker, on
// the shard's consensus channel. A node without a host (the single-node devnet) answers
// NetworkUnavailable; the shard then runs over a one-endpoint in-memory network, as the master's global
// engine does, and a one-prover committee needs nobody else.
//
// Not yet: request/response through the relay, so an app shard cannot sync from peers (a replica that
// fell behind waits for proposals to carry it forward; see DECISIONS D-APP-9).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, type Scope } from "effect"
import type { ShardNetworkService } from "../../actors/shard-relay/index.ts"
import { makeInMemoryNetwork } from "../kernel/transport/in-memory.ts"
import { TransportError, type TransportService } from "../kernel/transport/transport.ts"
import { bloomFilter, shardChannels } from "../network/bitmask.ts"

const noRelaySync = (protocol: string) =>
  Effect.fail(new TransportError({ reason: "no-handler", detail: `${protocol}: app-shard sync does not go through the shard relay yet` }))

/**
 * A Transport for one shard: its consensus channel through the relay, or (no p2p host) a private
 * in-memory endpoint. Lives for the Scope (the shard is deactivated when it closes).
 */
export const shardTransport = (network: ShardNetworkService, address: Uint8Array, peerId: string): Effect.Effect<TransportService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const appFilter = bloomFilter(address)
    const consensus = shardChannels(appFilter).consensus
    const handlers: Array<(m: { readonly from: string; readonly data: Uint8Array }) => void> = []
    const activated = yield* Effect.either(
      network.activate(appFilter, {
        onMessage: (m) =>
          Effect.sync(() => {
            if (m.channel !== "consensus") return
            for (const h of handlers) h({ from: m.from, data: m.payload })
          }),
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
              Effect.sync(() => handlers.push((m) => handler({ from: m.from, data: m.data, bitmask }))),
              () => Effect.sync(() => handlers.splice(handlers.length - 1, 1)),
            ).pipe(Effect.asVoid)
          : Effect.void,
      request: (_peer, protocol) => noRelaySync(protocol),
      serve: () => Effect.void,
      peers: Effect.succeed([]),
    }
    return transport
  })
