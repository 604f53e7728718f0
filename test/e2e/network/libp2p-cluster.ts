// In-process libp2p transports on loopback for the transport tests: hosts with fast gossip, dialled
// into a full mesh, each wrapped in a Libp2pTransport.
import { bytesToHex } from "@noble/hashes/utils.js"
import { randomBytes } from "node:crypto"
import { Effect, type Scope } from "effect"
import { sliceBitmask } from "../../../runtime/network/bitmask.ts"
import { makeP2PHost, type P2PHostService } from "../../../runtime/network/host.ts"
import {
  defaultLibp2pTransportConfig,
  type Libp2pTransport,
  type Libp2pTransportConfig,
  makeLibp2pTransport,
} from "../../../runtime/network/libp2p-transport.ts"
import { testHostConfig } from "./helpers.ts"

export interface Libp2pNode {
  readonly host: P2PHostService
  readonly transport: Libp2pTransport
}

const waitUntil = (check: () => boolean, timeoutMillis: number, what: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMillis
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep(10)
    }
  })

/** Tests want fast failures, not the production 30 s. */
export const testTransportConfig = (overrides: Partial<Libp2pTransportConfig> = {}): Libp2pTransportConfig => ({
  ...defaultLibp2pTransportConfig,
  requestTimeoutMillis: 5_000,
  serveTimeoutMillis: 3_000,
  ...overrides,
})

export const startLibp2pNode = (config: Libp2pTransportConfig = testTransportConfig()): Effect.Effect<Libp2pNode, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const host = yield* makeP2PHost(testHostConfig({ privateKey: new Uint8Array(randomBytes(32)) }))
    const transport = yield* makeLibp2pTransport(host, config)
    return { host, transport }
  })

/** Dials every pair once and waits until everyone sees everyone. */
export const connectAll = (nodes: ReadonlyArray<Libp2pNode>): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const [a, b] = [nodes[i], nodes[j]]
        if (a === undefined || b === undefined) continue
        yield* a.host.dial(b.host.multiaddrs()[0] ?? "")
      }
    }
    yield* waitUntil(() => nodes.every((n) => nodes.every((m) => m === n || n.host.connectedPeers().includes(m.host.peerId))), 5_000, "full mesh")
  })

/** Waits until each node's publishes on `bitmask` can reach every other node subscribed to all its slices. */
export const pubsubReady = (nodes: ReadonlyArray<Libp2pNode>, bitmask: Uint8Array, timeoutMillis = 5_000): Effect.Effect<void> => {
  const slices = sliceBitmask(bitmask).map(bytesToHex)
  const subscribed = (n: Libp2pNode) => slices.every((s) => n.host.pubsub.subscribedSlices().has(s))
  return waitUntil(
    () =>
      nodes.every((n) =>
        nodes.every(
          (m) => m === n || !subscribed(m) || (n.host.pubsub.peersInBitmask(bitmask).includes(m.host.peerId) && n.host.pubsub.canReach(m.host.peerId)),
        ),
      ),
    timeoutMillis,
    "pubsub subscriptions to propagate",
  )
}

export const startCluster = (
  size: number,
  config: (index: number) => Libp2pTransportConfig = () => testTransportConfig(),
): Effect.Effect<ReadonlyArray<Libp2pNode>, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const nodes = yield* Effect.forEach(
      Array.from({ length: size }, (_, i) => i),
      (i) => startLibp2pNode(config(i)),
    )
    yield* connectAll(nodes)
    return nodes
  })
