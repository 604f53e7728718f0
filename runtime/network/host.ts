// The node's one libp2p host (design.md §1): tcp + noise (Bun crypto override) + yamux, identify,
// ping and the bitmask pubsub, as an Effect service whose lifetime is a Scope. The p2p actor owns
// it; nothing else talks to libp2p directly.
import { noise } from "@chainsafe/libp2p-noise"
import { yamux } from "@chainsafe/libp2p-yamux"
import { gossipsub } from "@libp2p/gossipsub"
import type { GossipSub } from "@libp2p/gossipsub"
import { identify } from "@libp2p/identify"
import type { Identify } from "@libp2p/identify"
import type { IdentifyResult, Libp2p } from "@libp2p/interface"
import { peerIdFromPrivateKey, peerIdFromString } from "@libp2p/peer-id"
import { ping } from "@libp2p/ping"
import type { Ping } from "@libp2p/ping"
import { tcp } from "@libp2p/tcp"
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr"
import { Context, Duration, Effect, FiberMap, Layer, Schedule, type Scope } from "effect"
import { createLibp2p } from "libp2p"
import { BitmaskPubsub, bitmaskRouterMessageIds } from "./bitmask-pubsub.ts"
import { makeDedupeGater, type DedupeCounters } from "./connection-dedupe.ts"
import { describeError, DialFailed, HostStartFailed, HostStopFailed, InvalidMultiaddr, isAbortError, PingFailed, type InvalidPeerKey } from "./errors.ts"
import { peerKeyFromBytes } from "./identity.ts"
import { P2PMetrics } from "./metrics.ts"
import { DEFAULT_MESSAGE_ID_FORM, type MessageIdForm } from "./message-id.ts"
import { bunNoiseCrypto } from "./noise-crypto.ts"
import { networkOfAgentVersion, quilbunAgentVersion } from "./protocol-ids.ts"
import { peerScoreParams, peerScoreThresholds } from "./scoring.ts"
import { NODE_VERSION } from "../kernel/version.ts"

type HostServices = { identify: Identify; ping: Ping; pubsub: GossipSub }
type QuilbunLibp2p = Libp2p<HostServices>

/** Mesh and gossip parameters (node.md §1.4 defaults). */
export interface PubsubTuning {
  readonly d: number
  readonly dLo: number
  readonly dHi: number
  readonly dScore: number
  readonly dOut: number
  readonly dLazy: number
  readonly gossipFactor: number
  readonly historyLength: number
  readonly historyGossip: number
  readonly heartbeatIntervalMillis: number
  readonly fanoutTtlMillis: number
  readonly pruneBackoffMillis: number
  readonly unsubscribeBackoffMillis: number
  readonly seenTtlMillis: number
  /** hard cap of the delivery-side seen cache (Rust: 10,000) */
  readonly seenCacheMaxEntries: number
  readonly maxPayloadBytes: number
  readonly messageIdForm: MessageIdForm
  /** received messages at least this large make us send IDONTWANT to our other mesh peers */
  readonly idontwantMinDataBytes: number
}

interface ReconnectTuning {
  /** first retry delay after a failed dial; doubles up to `maxDelayMillis`, with jitter */
  readonly initialDelayMillis: number
  readonly maxDelayMillis: number
  /** how often a connected known peer is checked for having dropped */
  readonly checkIntervalMillis: number
  /** cap on peers kept connected (bootstrap + added at run time) */
  readonly maxKnownPeers: number
}

export interface P2PHostConfig {
  /** bytes of `keys/peer.key`: an Ed25519 seed (32 bytes) or seed ‖ public key (64 bytes) */
  readonly privateKey: Uint8Array
  readonly networkId: number
  readonly listen: ReadonlyArray<string>
  /** multiaddrs with `/p2p/<peer id>`; kept connected with backoff */
  readonly bootstrap: ReadonlyArray<string>
  readonly maxConnections: number
  readonly maxIncomingPendingConnections: number
  /**
   * inbound connections per second accepted from one IP before libp2p refuses more. libp2p's
   * default (5) trips a loopback devnet, where every node shares 127.0.0.1.
   */
  readonly inboundConnectionsPerSecondPerHost: number
  readonly dialTimeoutMillis: number
  /** liveness pings on every connection (Go peer monitor: every 30 s, 5 s timeout); a failed ping closes it */
  readonly pingIntervalMillis: number
  readonly pingTimeoutMillis: number
  readonly pubsub: PubsubTuning
  readonly reconnect: ReconnectTuning
  /** how often counters are flushed into Effect Metrics */
  readonly metricsIntervalMillis: number
  /** slice choice for publishes; injected for deterministic tests */
  readonly chooseSlice?: (count: number) => number
}

export const defaultPubsubTuning: PubsubTuning = {
  d: 8,
  dLo: 6,
  dHi: 12,
  dScore: 4,
  dOut: 2,
  dLazy: 6,
  gossipFactor: 0.25,
  historyLength: 9,
  historyGossip: 6,
  heartbeatIntervalMillis: 700,
  fanoutTtlMillis: 60_000,
  pruneBackoffMillis: 60_000,
  unsubscribeBackoffMillis: 10_000,
  seenTtlMillis: 2 * 60_000,
  seenCacheMaxEntries: 10_000,
  maxPayloadBytes: 1024 * 1024,
  messageIdForm: DEFAULT_MESSAGE_ID_FORM,
  // the reference's iDontWantMessageThreshold (node.md §1.4); gossipsub's own default is 512
  idontwantMinDataBytes: 1024,
}

const defaultReconnectTuning: ReconnectTuning = {
  initialDelayMillis: 1_000,
  maxDelayMillis: 60_000,
  checkIntervalMillis: 5_000,
  maxKnownPeers: 64,
}

export const defaultHostConfig = (privateKey: Uint8Array, networkId: number): P2PHostConfig => ({
  privateKey,
  networkId,
  listen: ["/ip4/127.0.0.1/tcp/0"],
  bootstrap: [],
  maxConnections: 192,
  maxIncomingPendingConnections: 64,
  inboundConnectionsPerSecondPerHost: 32,
  dialTimeoutMillis: 10_000,
  pingIntervalMillis: 30_000,
  pingTimeoutMillis: 5_000,
  pubsub: defaultPubsubTuning,
  reconnect: defaultReconnectTuning,
  metricsIntervalMillis: 5_000,
})

/** Room for the RPC framing, signature and control messages around one message. */
const RPC_OVERHEAD_BYTES = 64 * 1024

export interface P2PHostService {
  readonly peerId: string
  readonly networkId: number
  /** raw access for the p2p actor (stream protocols, events); keep it inside runtime/network */
  readonly libp2p: QuilbunLibp2p
  readonly pubsub: BitmaskPubsub
  /** listen addresses, each ending in `/p2p/<peer id>` */
  readonly multiaddrs: () => ReadonlyArray<string>
  /** dials an address (with or without `/p2p/`); returns the remote peer id */
  readonly dial: (address: string) => Effect.Effect<string, DialFailed | InvalidMultiaddr>
  /** round-trip time in milliseconds */
  readonly ping: (peerId: string) => Effect.Effect<number, PingFailed>
  readonly connectedPeers: () => ReadonlyArray<string>
  readonly connectionCount: (peerId?: string) => number
  /** keep a peer connected from now on (reconnects with backoff); needs `/p2p/<id>` */
  readonly keepConnected: (address: string) => Effect.Effect<void, InvalidMultiaddr>
  /** stop reconnecting to a peer (an existing connection stays until closed) */
  readonly stopKeepingConnected: (peerId: string) => Effect.Effect<void>
  readonly keptPeers: () => Effect.Effect<number>
  readonly dedupe: Readonly<DedupeCounters>
  /** peers disconnected because identify announced another quilbun network */
  readonly foreignNetworkDisconnects: () => number
  /** pushes the current counters into Effect Metrics now (also done every metricsIntervalMillis) */
  readonly flushMetrics: Effect.Effect<void>
}

export class P2PHost extends Context.Tag("quilbun/p2p/P2PHost")<P2PHost, P2PHostService>() {}

const parseMultiaddr = (address: string): Effect.Effect<Multiaddr, InvalidMultiaddr> =>
  Effect.try({
    try: () => multiaddr(address),
    catch: (error) => new InvalidMultiaddr({ address, reason: describeError(error) }),
  })

const peerIdOf = (address: Multiaddr): string | undefined => address.getComponents().find((component) => component.name === "p2p")?.value

const parsePeerAddress = (address: string): Effect.Effect<{ ma: Multiaddr; peerId: string }, InvalidMultiaddr> =>
  Effect.flatMap(parseMultiaddr(address), (ma) => {
    const peerId = peerIdOf(ma)
    return peerId === undefined ? Effect.fail(new InvalidMultiaddr({ address, reason: "missing /p2p/<peer id>" })) : Effect.succeed({ ma, peerId })
  })

/** Capped exponential backoff with jitter, forever. */
const reconnectSchedule = (tuning: ReconnectTuning) =>
  Schedule.exponential(Duration.millis(tuning.initialDelayMillis), 2).pipe(
    Schedule.union(Schedule.spaced(Duration.millis(tuning.maxDelayMillis))),
    Schedule.jittered,
  )

/** Builds, starts and (on scope close) stops the host. */
export const makeP2PHost = (config: P2PHostConfig): Effect.Effect<P2PHostService, InvalidPeerKey | InvalidMultiaddr | HostStartFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const privateKey = yield* peerKeyFromBytes(config.privateKey)
    for (const address of config.listen) yield* parseMultiaddr(address)
    const bootstrap = yield* Effect.forEach(config.bootstrap, parsePeerAddress)
    const tuning = config.pubsub
    const dedupe = makeDedupeGater(peerIdFromPrivateKey(privateKey).toString())

    const libp2p: QuilbunLibp2p = yield* Effect.tryPromise({
      try: () =>
        createLibp2p({
          start: false,
          privateKey,
          nodeInfo: { userAgent: quilbunAgentVersion(config.networkId, NODE_VERSION) },
          addresses: { listen: [...config.listen] },
          transports: [tcp()],
          connectionEncrypters: [noise({ crypto: bunNoiseCrypto })],
          streamMuxers: [yamux()],
          connectionGater: dedupe.gater,
          connectionMonitor: {
            pingInterval: config.pingIntervalMillis,
            pingTimeout: { maxTimeout: config.pingTimeoutMillis },
            abortConnectionOnPingFailure: true,
          },
          connectionManager: {
            maxConnections: config.maxConnections,
            maxIncomingPendingConnections: config.maxIncomingPendingConnections,
            inboundConnectionThreshold: config.inboundConnectionsPerSecondPerHost,
            dialTimeout: config.dialTimeoutMillis,
          },
          services: {
            identify: identify(),
            ping: ping(),
            pubsub: gossipsub({
              emitSelf: false,
              fallbackToFloodsub: false,
              doPX: false,
              allowPublishToZeroTopicPeers: true,
              D: tuning.d,
              Dlo: tuning.dLo,
              Dhi: tuning.dHi,
              Dscore: tuning.dScore,
              Dout: tuning.dOut,
              Dlazy: tuning.dLazy,
              gossipFactor: tuning.gossipFactor,
              mcacheLength: tuning.historyLength,
              mcacheGossip: tuning.historyGossip,
              heartbeatInterval: tuning.heartbeatIntervalMillis,
              fanoutTTL: tuning.fanoutTtlMillis,
              pruneBackoff: tuning.pruneBackoffMillis,
              unsubcribeBackoff: tuning.unsubscribeBackoffMillis,
              seenTTL: tuning.seenTtlMillis,
              idontwantMinDataSize: tuning.idontwantMinDataBytes,
              ...bitmaskRouterMessageIds(tuning.messageIdForm),
              maxInboundDataLength: tuning.maxPayloadBytes + RPC_OVERHEAD_BYTES,
              scoreParams: peerScoreParams({ mainnet: config.networkId === 0 }),
              scoreThresholds: peerScoreThresholds(),
            }),
          },
        }),
      catch: (error) => new HostStartFailed({ reason: describeError(error) }),
    })

    const peerId = libp2p.peerId.toString()

    // A quilbun peer of another network is dropped as soon as identify tells us; non-quilbun peers
    // (stock libp2p) may stay for identify/ping but never share our network-namespaced topics.
    let foreignNetworkDisconnects = 0
    const onIdentify = (event: CustomEvent<IdentifyResult>): void => {
      const network = networkOfAgentVersion(event.detail.agentVersion)
      if (network === undefined || network === config.networkId) return
      foreignNetworkDisconnects++
      event.detail.connection.abort(new Error(`peer is on quilbun network ${network}, not ${config.networkId}`))
    }
    libp2p.addEventListener("peer:identify", onIdentify)

    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await libp2p.start()
        },
        catch: (error) => new HostStartFailed({ reason: describeError(error) }),
      }),
      () =>
        // A rejected stop is a typed failure, never a defect of the scope's release: when every peer
        // vanishes during a stop, libp2p's stop can reject with the AbortError of a dial or stream it
        // cut short, which is expected then (debug); anything else is worth a warning.
        Effect.tryPromise({
          try: async () => {
            await libp2p.stop()
          },
          catch: (error) => new HostStopFailed({ reason: describeError(error), aborted: isAbortError(error) }),
        }).pipe(
          Effect.timeout(Duration.seconds(5)),
          Effect.catchTags({
            HostStopFailed: (error) =>
              error.aborted
                ? Effect.logDebug(`p2p host stop: in-flight work aborted (${error.reason})`)
                : Effect.logWarning(`p2p host stop failed: ${error.reason}`),
            TimeoutException: () => Effect.logWarning("p2p host stop timed out"),
          }),
          Effect.ensuring(Effect.sync(() => libp2p.removeEventListener("peer:identify", onIdentify))),
        ),
    )

    const pubsub = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new BitmaskPubsub(libp2p.services.pubsub, {
            networkId: config.networkId,
            maxPayloadBytes: tuning.maxPayloadBytes,
            messageIdForm: tuning.messageIdForm,
            seenCache: { maxEntries: tuning.seenCacheMaxEntries, ttlMillis: tuning.seenTtlMillis },
            selfPeerId: libp2p.peerId.toString(),
            ...(config.chooseSlice === undefined ? {} : { chooseSlice: config.chooseSlice }),
          }),
      ),
      (pubsub) => Effect.sync(() => pubsub.close()),
    )

    const connectionCount = (remote?: string): number =>
      remote === undefined ? libp2p.getConnections().length : libp2p.getConnections(peerIdFromString(remote)).length

    const isConnected = (remote: string): boolean => libp2p.getConnections(peerIdFromString(remote)).some((connection) => connection.status === "open")

    const dial = (address: string): Effect.Effect<string, DialFailed | InvalidMultiaddr> =>
      Effect.gen(function* () {
        const ma = yield* parseMultiaddr(address)
        const expected = peerIdOf(ma)
        return yield* Effect.tryPromise({
          try: async (signal) => (await libp2p.dial(ma, { signal })).remotePeer.toString(),
          catch: (error) => new DialFailed({ address, reason: describeError(error) }),
        }).pipe(
          // A simultaneous dial can lose the tie-break (connection-dedupe.ts) while the pair ends up
          // connected through the other side's dial: that is a success.
          Effect.catchTag("DialFailed", (error) => (expected !== undefined && isConnected(expected) ? Effect.succeed(expected) : Effect.fail(error))),
        )
      })

    const pingPeer = (remote: string): Effect.Effect<number, PingFailed> =>
      Effect.tryPromise({
        try: (signal) => libp2p.services.ping.ping(peerIdFromString(remote), { signal }),
        catch: (error) => new PingFailed({ peer: remote, reason: describeError(error) }),
      })

    // One fiber per known peer: dial until connected (backoff), then check it stays connected.
    const keepers = yield* FiberMap.make<string>()
    const maintain = (address: string, remote: string): Effect.Effect<never> => {
      const ensureConnected = isConnected(remote)
        ? Effect.void
        : dial(address).pipe(
            Effect.tapError((error) => Effect.logDebug(`p2p dial ${address} failed: ${error.reason}`)),
            Effect.retry(reconnectSchedule(config.reconnect)),
            // the schedule never ends, so this only satisfies the type
            Effect.ignore,
          )
      return Effect.suspend(() => ensureConnected).pipe(Effect.zipRight(Effect.sleep(Duration.millis(config.reconnect.checkIntervalMillis))), Effect.forever)
    }
    const keepConnected = (address: string): Effect.Effect<void, InvalidMultiaddr> =>
      Effect.gen(function* () {
        const { peerId: remote } = yield* parsePeerAddress(address)
        if (remote === peerId || (yield* FiberMap.has(keepers, remote))) return
        if ((yield* FiberMap.size(keepers)) >= config.reconnect.maxKnownPeers) {
          return yield* Effect.logWarning(`p2p: known-peer cap ${config.reconnect.maxKnownPeers} reached; not keeping ${address}`)
        }
        yield* FiberMap.run(keepers, remote, maintain(address, remote))
      })
    for (const { ma } of bootstrap) yield* keepConnected(ma.toString())

    const metrics = new P2PMetrics()
    const flushMetrics = Effect.sync(() =>
      metrics.flush({
        connections: libp2p.getConnections().length,
        peers: libp2p.getPeers().length,
        dedupe: dedupe.counters,
        foreignNetworkDisconnects,
        pubsub: pubsub.stats,
        subscribedSlices: pubsub.subscribedSlices().size,
        sliceTraffic: pubsub.sliceTraffic,
        peerScores: libp2p.getPeers().map((peer) => [peer.toString(), pubsub.score(peer.toString())] as const),
      }),
    )
    yield* flushMetrics.pipe(Effect.repeat(Schedule.spaced(Duration.millis(config.metricsIntervalMillis))), Effect.forkScoped)

    yield* Effect.logInfo(`p2p host ${peerId} listening on ${libp2p.getMultiaddrs().map(String).join(", ")}`)

    return {
      peerId,
      networkId: config.networkId,
      libp2p,
      pubsub,
      multiaddrs: () => libp2p.getMultiaddrs().map((ma) => ma.toString()),
      dial,
      ping: pingPeer,
      connectedPeers: () => libp2p.getPeers().map(String),
      connectionCount,
      keepConnected,
      stopKeepingConnected: (remote) => FiberMap.remove(keepers, remote),
      keptPeers: () => FiberMap.size(keepers),
      dedupe: dedupe.counters,
      foreignNetworkDisconnects: () => foreignNetworkDisconnects,
      flushMetrics,
    } satisfies P2PHostService
  })

export const P2PHostLive = (config: P2PHostConfig): Layer.Layer<P2PHost, InvalidPeerKey | InvalidMultiaddr | HostStartFailed> =>
  Layer.scoped(P2PHost, makeP2PHost(config))
