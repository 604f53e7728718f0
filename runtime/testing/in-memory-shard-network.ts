// The ShardNetwork service (actors/shard-relay) over an in-memory Transport endpoint: what a data
// worker's shards reach through the master's relay in a node, a testnet worker reaches directly on its
// shard's in-memory network. Channels are the shard's real bitmasks (runtime/network/bitmask.ts), a
// request travels in the relay's own envelope (shard-request.ts), and crashes, partitions and
// interceptors of the in-memory network apply to shard traffic as they do to global traffic.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either, Exit, Runtime, Scope } from "effect"
import { decodeShardRequest, encodeShardRequest, SHARD_REQUEST_PROTOCOL } from "../../actors/shard-relay/shard-request.ts"
import { SHARD_CHANNELS, ShardNotActive, type ShardHandler, type ShardNetworkService } from "../../actors/shard-relay/index.ts"
import { shardChannels } from "../network/bitmask.ts"
import { TransportError, type TransportService } from "../kernel/transport/transport.ts"

/** The service for one worker's endpoint, for the Scope (its request handler is served until it closes). */
export const inMemoryShardNetwork = (endpoint: TransportService): Effect.Effect<ShardNetworkService, never, Scope.Scope> =>
  Effect.gen(function* () {
    // Deliveries arrive as plain callbacks: they run on this runtime, so under TestClock they keep its clock.
    const run = Runtime.runFork(yield* Effect.runtime<never>())
    const active = new Map<string, { readonly handler: ShardHandler; readonly scope: Scope.CloseableScope }>()
    yield* endpoint.serve(SHARD_REQUEST_PROTOCOL, (from, data) =>
      Effect.suspend(() => {
        const envelope = decodeShardRequest(data)
        if (Either.isLeft(envelope)) return Effect.fail(new TransportError({ reason: "remote-error", detail: envelope.left.detail }))
        const serve = active.get(bytesToHex(envelope.right.appFilter))?.handler.serve
        return serve === undefined
          ? Effect.fail(new TransportError({ reason: "no-handler", detail: `${envelope.right.protocol} is not served for this shard` }))
          : serve(envelope.right.protocol, from, envelope.right.data)
      }),
    )
    const notActive = (appFilter: Uint8Array) => new ShardNotActive({ appFilter: bytesToHex(appFilter), core: 0 })
    const service: ShardNetworkService = {
      activate: (appFilter, handler) =>
        Effect.gen(function* () {
          const key = bytesToHex(appFilter)
          const scope = yield* Scope.make()
          const channels = shardChannels(appFilter)
          for (const channel of SHARD_CHANNELS)
            yield* endpoint
              .subscribe(channels[channel], (m) => {
                const message = { appFilter, channel, payload: m.data, from: m.from }
                run(
                  Effect.gen(function* () {
                    const verdict = handler.validate === undefined ? "accept" : yield* handler.validate(message)
                    if (verdict === "accept") yield* handler.onMessage(message)
                  }).pipe(Effect.catchAllCause((cause) => Effect.logWarning("shard message handler failed", cause))),
                )
              })
              .pipe(Scope.extend(scope))
          active.set(key, { handler, scope })
          return Effect.suspend(() => {
            if (active.get(key)?.scope !== scope) return Effect.fail(notActive(appFilter))
            active.delete(key)
            return Scope.close(scope, Exit.void)
          })
        }),
      publish: (appFilter, channel, payload) =>
        Effect.suspend(() => {
          if (!active.has(bytesToHex(appFilter))) return Effect.fail(notActive(appFilter))
          return Effect.zipRight(
            endpoint.publish(shardChannels(appFilter)[channel], payload),
            Effect.map(endpoint.peers, (peers) => ({ recipients: peers.length })),
          )
        }),
      request: (appFilter, peer, protocol, data) => endpoint.request(peer, SHARD_REQUEST_PROTOCOL, encodeShardRequest({ appFilter, protocol, data })),
      // Every endpoint of a shard's network covers that shard.
      peers: () => endpoint.peers,
      activeShards: () => [...active.keys()],
    }
    return service
  })
