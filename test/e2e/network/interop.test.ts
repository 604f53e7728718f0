// Interop: a stock js-libp2p node, built here from npm packages only (no quilbun code), connects to
// a quilbun host and pings it. The only non-default piece is the ChaCha20-Poly1305 routing any Bun
// program needs (platform-notes §5.2), written inline so this file owes nothing to runtime/network.
import { afterEach, expect, test } from "bun:test"
import { noise } from "@chainsafe/libp2p-noise"
import { asCrypto, defaultCrypto } from "@chainsafe/libp2p-noise/crypto"
import { yamux } from "@chainsafe/libp2p-yamux"
import { identify } from "@libp2p/identify"
import { peerIdFromString } from "@libp2p/peer-id"
import { ping } from "@libp2p/ping"
import { tcp } from "@libp2p/tcp"
import { multiaddr } from "@multiformats/multiaddr"
import { Effect } from "effect"
import { createLibp2p } from "libp2p"
import { startHost, type RunningHost } from "./helpers.ts"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

const stockNode = () =>
  createLibp2p({
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [
      noise({
        crypto: {
          ...defaultCrypto,
          chaCha20Poly1305Encrypt: asCrypto.chaCha20Poly1305Encrypt,
          chaCha20Poly1305Decrypt: asCrypto.chaCha20Poly1305Decrypt,
        },
      }),
    ],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() },
  })

test("a stock js-libp2p node connects to a quilbun host and pings it", async () => {
  const quilbun: RunningHost = await startHost()
  cleanups.push(quilbun.close)
  const stock = await stockNode()
  cleanups.push(async () => {
    await stock.stop()
  })

  const address = multiaddr(quilbun.host.multiaddrs()[0] ?? "")
  const connection = await stock.dial(address)
  expect(connection.remotePeer.toString()).toBe(quilbun.host.peerId)
  expect(connection.encryption).toBe("/noise")
  expect(connection.multiplexer).toBe("/yamux/1.0.0")

  const rtt = await stock.services.ping.ping(address)
  expect(rtt).toBeGreaterThanOrEqual(0)

  // and the other way round, over the same connection
  const back = await Effect.runPromise(quilbun.host.ping(stock.peerId.toString()))
  expect(back).toBeGreaterThanOrEqual(0)
  expect(quilbun.host.connectionCount(stock.peerId.toString())).toBe(1)

  // identify ran: the stock node learned the quilbun agent string
  const deadline = Date.now() + 3000
  let agent = ""
  while (Date.now() < deadline) {
    const peer = await stock.peerStore.get(peerIdFromString(quilbun.host.peerId))
    agent = new TextDecoder().decode(peer.metadata.get("AgentVersion") ?? new Uint8Array())
    if (agent !== "") break
    await Bun.sleep(10)
  }
  expect(agent).toStartWith("quilbun/")
})
