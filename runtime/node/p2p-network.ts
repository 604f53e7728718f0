// The node's libp2p side for a multi-process devnet: the host (identity from keys/peer.key, listen,
// bootstrap and network id from the config), the consensus Transport over it, and the known-peer list
// kept in the master store (Buckets.peers) so a restarted node redials the peers it last saw even when
// they are not in p2p.bootstrap.
import { peerIdFromPrivateKey } from "@libp2p/peer-id"
import { Context, Data, Effect, Layer, Option, Redacted, Schedule, Schema } from "effect"
import { globalConsensusTransportConfig } from "../../actors/consensus/global/transport-rules.ts"
import { defaultHostConfig, P2PHost, P2PHostLive, type P2PHostConfig, type P2PHostService } from "../network/host.ts"
import type { HostStartFailed, InvalidMultiaddr, InvalidPeerKey } from "../network/errors.ts"
import { peerKeyFromBytes } from "../network/identity.ts"
import { Libp2pTransportLive } from "../network/libp2p-transport.ts"
import { describePeers, type PeerInfo } from "../network/peer-info.ts"
import { Buckets, defineRepository, KeyCodec, Store, type StoreService, ValueCodec } from "../store/index.ts"
import { Multiaddr, type NodeConfig } from "../../config/index.ts"
import { Transport, type TransportService } from "../kernel/transport/transport.ts"

/** Peer id → the addresses it listens on (each with `/p2p/<id>`). */
const knownPeerRows = defineRepository({
  bucket: Buckets.peers,
  key: KeyCodec.string,
  value: ValueCodec.schema(Schema.Array(Schema.String)),
})

/** How often the connected peers are written to the store (and once more on shutdown). */
const SAVE_EVERY = "5 seconds"

const isMultiaddr = Schema.is(Multiaddr)

const peerIdOfAddress = (address: string): string | undefined => /\/p2p\/([^/]+)$/.exec(address)?.[1]

/**
 * Bootstrap list: the configured addresses first, then one stored address per remembered peer that is
 * not already there (nor this node), up to the host's cap of kept peers.
 */
export const bootstrapWithKnown = (
  configured: ReadonlyArray<string>,
  known: ReadonlyArray<{ readonly key: string; readonly value: ReadonlyArray<string> }>,
  self: string,
  cap: number,
): ReadonlyArray<string> => {
  const out = [...configured]
  const seen = new Set(configured.map(peerIdOfAddress).filter((id): id is string => id !== undefined))
  seen.add(self)
  for (const { key, value } of known) {
    if (out.length >= cap) break
    const address = value.find((a) => peerIdOfAddress(a) === key && isMultiaddr(a))
    if (address === undefined || seen.has(key)) continue
    seen.add(key)
    out.push(address)
  }
  return out
}

const saveKnownPeers = (store: StoreService, peers: ReadonlyArray<PeerInfo>) => {
  const rows = store.repository(knownPeerRows)
  return store.commit((tx) => {
    for (const p of peers) {
      const addresses = p.addresses.filter((a) => peerIdOfAddress(a) === p.id)
      if (addresses.length > 0) rows.put(tx, p.id, addresses)
    }
  })
}

export interface NodeNetworkService {
  readonly host: P2PHostService
  readonly transport: TransportService
  readonly peers: Effect.Effect<ReadonlyArray<PeerInfo>>
}

export class NodeNetwork extends Context.Tag("quilbun/node/NodeNetwork")<NodeNetwork, NodeNetworkService>() {}

/** The libp2p peer id that keys/peer.key gives a node (what its host will announce). */
export const peerIdOfKey = (peerKey: Uint8Array): Effect.Effect<string, InvalidPeerKey> =>
  Effect.map(peerKeyFromBytes(peerKey), (key) => peerIdFromPrivateKey(key).toString())

/** The host's settings from the node config; `peerKey` is keys/peer.key. */
const nodeHostConfig = (config: NodeConfig, peerKey: Uint8Array, bootstrap: ReadonlyArray<string>): P2PHostConfig => ({
  ...defaultHostConfig(peerKey, config.p2p.networkId),
  listen: config.p2p.listen,
  bootstrap,
})

/** Starts the host and the consensus transport; needs the master store. Released (host stopped) with its scope. */
const NodeNetworkLive = (config: NodeConfig, peerKey: Redacted.Redacted<Uint8Array>) =>
  Layer.scoped(
    NodeNetwork,
    Effect.gen(function* () {
      const store = yield* Store
      const key = Redacted.value(peerKey)
      // The list is a convenience: an unreadable one is dropped (the configured bootstrap still applies).
      const known = yield* store
        .read(() => store.repository(knownPeerRows).range())
        .pipe(
          Effect.tapError((e) => Effect.logWarning("known peers unreadable; starting without them").pipe(Effect.annotateLogs({ error: e._tag }))),
          Effect.orElseSucceed(() => []),
        )
      const draft = nodeHostConfig(config, key, config.p2p.bootstrap)
      const self = yield* peerIdOfKey(key)
      const bootstrap = bootstrapWithKnown(config.p2p.bootstrap, known, self, draft.reconnect.maxKnownPeers)
      const context = yield* Layer.build(Libp2pTransportLive(globalConsensusTransportConfig()).pipe(Layer.provideMerge(P2PHostLive({ ...draft, bootstrap }))))
      const host = Context.get(context, P2PHost)
      const transport = Context.get(context, Transport)
      const peers = describePeers(host)
      // Saving needs addresses only: no pings every few seconds.
      const save = Effect.flatMap(describePeers(host, false), (ps) => saveKnownPeers(store, ps)).pipe(Effect.ignore)
      yield* save.pipe(Effect.repeat(Schedule.spaced(SAVE_EVERY)), Effect.delay(SAVE_EVERY), Effect.forkScoped)
      yield* Effect.addFinalizer(() => save)
      yield* Effect.logInfo("p2p host started").pipe(
        Effect.annotateLogs({ peerId: host.peerId, listen: host.multiaddrs().join(","), bootstrap: bootstrap.length, remembered: known.length }),
      )
      return { host, transport, peers }
    }),
  )

/** The node's network when it runs one (`engine.genesisProvers` set: a multi-process network), else None. */
export class OptionalNodeNetwork extends Context.Tag("quilbun/node/OptionalNodeNetwork")<OptionalNodeNetwork, Option.Option<NodeNetworkService>>() {}

class PeerKeyMissing extends Data.TaggedError("PeerKeyMissing")<{ readonly message: string }> {}

/** Whether the config asks for a libp2p host: a shared genesis committee means other processes to talk to. */
const runsNetwork = (config: NodeConfig): boolean => (config.engine.genesisProvers ?? []).length > 0

/** Starts the host when `runsNetwork(config)`; needs the master store. */
export const OptionalNodeNetworkLive = (
  config: NodeConfig,
  peerKey: Redacted.Redacted<Uint8Array> | undefined,
): Layer.Layer<OptionalNodeNetwork, PeerKeyMissing | HostStartFailed | InvalidMultiaddr | InvalidPeerKey, Store> =>
  runsNetwork(config)
    ? peerKey === undefined
      ? Layer.fail(new PeerKeyMissing({ message: "engine.genesisProvers is set but the node has no peer key" }))
      : Layer.effect(OptionalNodeNetwork, Effect.map(NodeNetwork, Option.some)).pipe(Layer.provide(NodeNetworkLive(config, peerKey)))
    : Layer.succeed(OptionalNodeNetwork, Option.none())
