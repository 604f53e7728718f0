import { afterEach, describe, expect, test } from "bun:test"
import { lpStream } from "@libp2p/utils"
import { peerIdFromString } from "@libp2p/peer-id"
import { multiaddr } from "@multiformats/multiaddr"
import { Effect, Either } from "effect"
import { makeP2PHost, P2PHost, P2PHostLive } from "../../../runtime/network/host.ts"
import { peerKeyFromBytes } from "../../../runtime/network/identity.ts"
import { protocolId } from "../../../runtime/network/protocol-ids.ts"
import { patternBytes, startHost, testHostConfig, TEST_NETWORK, waitFor, type RunningHost } from "./helpers.ts"

const running: Array<RunningHost> = []
const start = async (...args: Parameters<typeof startHost>): Promise<RunningHost> => {
  const host = await startHost(...args)
  running.push(host)
  return host
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()))
})

const ECHO = protocolId(TEST_NETWORK, "test-echo", "1.0.0")

/** Registers an echo handler on `server` and sends each payload from `client` over one stream. */
const echo = async (server: RunningHost, client: RunningHost, payloads: ReadonlyArray<Uint8Array>) => {
  await server.host.libp2p.handle(ECHO, async (stream) => {
    const lp = lpStream(stream)
    for (let i = 0; i < payloads.length; i++) await lp.write(await lp.read())
    await stream.close()
  })
  const stream = await client.host.libp2p.dialProtocol(peerIdFromString(server.host.peerId), ECHO)
  const lp = lpStream(stream)
  const replies: Array<Uint8Array> = []
  for (const payload of payloads) {
    await lp.write(payload)
    replies.push((await lp.read()).subarray())
  }
  await stream.close()
  return replies
}

describe("p2p host", () => {
  test("two hosts connect over tcp + noise + yamux and ping", async () => {
    const a = await start()
    const b = await start()
    const [address] = a.host.multiaddrs()
    expect(address).toContain(`/p2p/${a.host.peerId}`)
    const remote = await Effect.runPromise(b.host.dial(address ?? ""))
    expect(remote).toBe(a.host.peerId)
    const rtt = await Effect.runPromise(b.host.ping(a.host.peerId))
    expect(rtt).toBeGreaterThanOrEqual(0)
    const [connection] = b.host.libp2p.getConnections()
    expect(connection?.encryption).toBe("/noise")
    expect(connection?.multiplexer).toBe("/yamux/1.0.0")
  })

  // Regression for platform-notes §5.2: Noise frames of 1200 bytes or more used to go through
  // node:crypto's missing chacha20-poly1305 under Bun and abort the connection.
  test("1 KiB, 2 KiB and 64 KiB messages cross the noise channel intact", async () => {
    const a = await start()
    const b = await start()
    await Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? ""))
    const payloads = [patternBytes(1024, 1), patternBytes(2048, 2), patternBytes(64 * 1024, 3)]
    const replies = await echo(a, b, payloads)
    expect(replies).toEqual(payloads)
  })

  test("the peer id is derived from the key seed; 64-byte keys must match their seed", async () => {
    const seed = new Uint8Array(32).fill(9)
    const key = await Effect.runPromise(peerKeyFromBytes(seed))
    const full = new Uint8Array([...seed, ...key.publicKey.raw])
    const again = await Effect.runPromise(peerKeyFromBytes(full))
    expect(again.publicKey.toString()).toBe(key.publicKey.toString())
    const a = await start({ privateKey: seed })
    expect(a.host.peerId).toBe(key.publicKey.toString())

    const tampered = full.slice()
    tampered[40] = (tampered[40] ?? 0) ^ 1
    const bad = await Effect.runPromise(Effect.either(peerKeyFromBytes(tampered)))
    expect(Either.isLeft(bad) && bad.left._tag).toBe("InvalidPeerKey")
    const short = await Effect.runPromise(Effect.either(peerKeyFromBytes(new Uint8Array(31))))
    expect(Either.isLeft(short) && short.left._tag).toBe("InvalidPeerKey")
  })

  test("bad addresses fail with typed errors", async () => {
    const attempt = (overrides: Parameters<typeof testHostConfig>[0]) => Effect.runPromise(Effect.scoped(Effect.either(makeP2PHost(testHostConfig(overrides)))))
    const badListen = await attempt({ listen: ["not a multiaddr"] })
    expect(Either.isLeft(badListen) && badListen.left._tag).toBe("InvalidMultiaddr")
    const noPeerId = await attempt({ bootstrap: ["/ip4/127.0.0.1/tcp/1"] })
    expect(Either.isLeft(noPeerId) && noPeerId.left._tag).toBe("InvalidMultiaddr")

    const a = await start()
    const refused = await Effect.runPromise(Effect.either(a.host.dial("/ip4/127.0.0.1/tcp/1")))
    expect(Either.isLeft(refused) && refused.left._tag).toBe("DialFailed")
  })

  test("simultaneous dials leave exactly one connection per pair, and it works", async () => {
    // Whether both dials really overlap depends on the scheduler; the next test forces the duplicate.
    for (let round = 0; round < 3; round++) {
      const a = await start()
      const b = await start()
      const results = await Promise.allSettled([
        Effect.runPromise(a.host.dial(b.host.multiaddrs()[0] ?? "")),
        Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? "")),
      ])
      expect(results.some((r) => r.status === "fulfilled")).toBe(true)
      await waitFor(() => a.host.connectionCount(b.host.peerId) === 1 && b.host.connectionCount(a.host.peerId) === 1, 3000, "one connection each side")
      // settle, then check again: a late duplicate would show up here
      await Bun.sleep(150)
      expect(a.host.connectionCount(b.host.peerId)).toBe(1)
      expect(b.host.connectionCount(a.host.peerId)).toBe(1)
      const [onA] = a.host.libp2p.getConnections(peerIdFromString(b.host.peerId))
      const [onB] = b.host.libp2p.getConnections(peerIdFromString(a.host.peerId))
      // both ends agree on the connection: one is outbound, the other inbound
      expect(new Set([onA?.direction, onB?.direction])).toEqual(new Set(["inbound", "outbound"]))
      // the keeper is the one initiated by the smaller peer id
      const smaller = a.host.peerId < b.host.peerId ? a : b
      const onSmaller = smaller === a ? onA : onB
      expect(onSmaller?.direction).toBe("outbound")
      expect(await Effect.runPromise(a.host.ping(b.host.peerId))).toBeGreaterThanOrEqual(0)
      await Promise.all(running.splice(0).map((h) => h.close()))
    }
  }, 15_000)

  // The duplicate a dial race produces, forced: with one connection up, the other side opens a second
  // one (libp2p's `force` skips its reuse of the existing connection), so both gaters see it every time.
  for (const firstBy of ["smaller", "greater"] as const) {
    test(`a forced duplicate connection (first one initiated by the ${firstBy} id) is resolved to the smaller id's`, async () => {
      const [x, y] = [await start(), await start()]
      const [smaller, greater] = x.host.peerId < y.host.peerId ? [x, y] : [y, x]
      const [first, second] = firstBy === "smaller" ? [smaller, greater] : [greater, smaller]
      await Effect.runPromise(first.host.dial(second.host.multiaddrs()[0] ?? ""))
      await waitFor(() => second.host.connectionCount(first.host.peerId) === 1, 3000, "the first connection on both sides")
      const [original] = smaller.host.libp2p.getConnections(peerIdFromString(greater.host.peerId))
      const duplicate = await second.host.libp2p.dial(multiaddr(first.host.multiaddrs()[0] ?? ""), { force: true }).then(
        (connection) => connection.id,
        // the dialler's own gater refusing the upgraded connection; anything else is a real failure
        (error: unknown) => {
          if (error instanceof Error && error.name === "ConnectionInterceptedError") return "denied"
          throw error
        },
      )
      // Either way both ends settle on the smaller id's outbound connection, and only it.
      const settled = () => {
        const onSmaller = smaller.host.libp2p.getConnections(peerIdFromString(greater.host.peerId))
        const onGreater = greater.host.libp2p.getConnections(peerIdFromString(smaller.host.peerId))
        return onSmaller.length === 1 && onGreater.length === 1 && onSmaller[0]?.direction === "outbound" && onGreater[0]?.direction === "inbound"
      }
      await waitFor(settled, 3000, "one connection each side, initiated by the smaller id")
      const [kept] = smaller.host.libp2p.getConnections(peerIdFromString(greater.host.peerId))
      const denied = [smaller, greater].map((h) => h.host.dedupe.deniedNew)
      const replaced = [smaller, greater].map((h) => h.host.dedupe.replacedExisting)
      if (firstBy === "smaller") {
        expect(duplicate).toBe("denied")
        expect(kept?.id).toBe(original?.id)
        // the greater id's gater denied its own dial (the smaller's may not get to judge it before it closes)
        expect(denied[1]).toBe(1)
        expect(replaced).toEqual([0, 0])
      } else {
        expect(duplicate).toBe(kept?.id ?? "no connection kept")
        expect(kept?.id).not.toBe(original?.id)
        // the smaller id's end replaced the first connection; the greater's end replaced it too, or
        // simply admitted the newcomer if the abort of the first had reached it already
        expect(replaced[0]).toBe(1)
        expect(denied).toEqual([0, 0])
      }
      expect(await Effect.runPromise(smaller.host.ping(greater.host.peerId))).toBeGreaterThanOrEqual(0)
    })
  }

  test("a second dial to a connected peer reuses the connection", async () => {
    const a = await start()
    const b = await start()
    await Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? ""))
    await waitFor(() => a.host.connectionCount(b.host.peerId) === 1, 3000, "inbound side registered")
    await Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? ""))
    await Bun.sleep(50)
    expect(b.host.connectionCount(a.host.peerId)).toBe(1)
    expect(a.host.connectionCount(b.host.peerId)).toBe(1)
  })

  test("bootstrap peers are dialled at start and redialled after a disconnect", async () => {
    const a = await start()
    const b = await start({ bootstrap: [a.host.multiaddrs()[0] ?? ""] })
    await waitFor(() => b.host.connectionCount(a.host.peerId) === 1 && a.host.connectionCount(b.host.peerId) === 1, 3000, "bootstrap connection")
    const connectionToA = () => b.host.libp2p.getConnections(peerIdFromString(a.host.peerId))[0]
    const before = connectionToA()?.id
    let disconnects = 0
    b.host.libp2p.addEventListener("peer:disconnect", () => disconnects++)
    await a.host.libp2p.hangUp(peerIdFromString(b.host.peerId))
    await waitFor(() => disconnects === 1, 3000, "disconnect")
    // b dials again by itself: a new connection, initiated by b
    await waitFor(() => connectionToA() !== undefined && connectionToA()?.id !== before, 3000, "reconnect")
    expect(connectionToA()?.direction).toBe("outbound")
  })

  test("bootstrap peers that are down are retried with backoff until they come up", async () => {
    const seed = new Uint8Array(32).fill(5)
    // learn the peer id and a free port, then stop that host
    const first = await startHost({ privateKey: seed })
    const address = first.host.multiaddrs()[0] ?? ""
    const port = /\/tcp\/(\d+)\//.exec(address)?.[1]
    await first.close()
    // Nothing listens there now, so the first dials fail; reaching the revived host proves the retries.
    const b = await start({ bootstrap: [address] })
    const revived = await start({ privateKey: seed, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
    await waitFor(() => b.host.connectionCount(revived.host.peerId) === 1, 3000, "reconnect to revived peer")
  })

  test("keepConnected adds peers up to maxKnownPeers; stopKeepingConnected ends the redialling", async () => {
    const a = await start()
    const b = await start({
      reconnect: { initialDelayMillis: 20, maxDelayMillis: 50, checkIntervalMillis: 20, maxKnownPeers: 1 },
    })
    const address = a.host.multiaddrs()[0] ?? ""
    await Effect.runPromise(b.host.keepConnected(address))
    await Effect.runPromise(b.host.keepConnected(address)) // idempotent
    const other = await start()
    await Effect.runPromise(b.host.keepConnected(other.host.multiaddrs()[0] ?? "")) // over the cap: ignored
    expect(await Effect.runPromise(b.host.keptPeers())).toBe(1)
    await waitFor(() => b.host.connectionCount(a.host.peerId) === 1 && a.host.connectionCount(b.host.peerId) === 1)
    expect(b.host.connectionCount(other.host.peerId)).toBe(0)

    await Effect.runPromise(b.host.stopKeepingConnected(a.host.peerId))
    expect(await Effect.runPromise(b.host.keptPeers())).toBe(0)
    await a.host.libp2p.hangUp(peerIdFromString(b.host.peerId))
    await waitFor(() => b.host.connectionCount(a.host.peerId) === 0, 3000, "disconnect")
    // The freed slot takes another peer: once its keeper has dialled, a's (were it still running, on
    // the same 20 ms check) would have redialled too.
    await Effect.runPromise(b.host.keepConnected(other.host.multiaddrs()[0] ?? ""))
    await waitFor(() => b.host.connectionCount(other.host.peerId) === 1, 3000, "the other peer kept")
    expect(await Effect.runPromise(b.host.keptPeers())).toBe(1)
    expect(b.host.connectionCount(a.host.peerId)).toBe(0)
    const missing = await Effect.runPromise(Effect.either(b.host.keepConnected("/ip4/127.0.0.1/tcp/1")))
    expect(Either.isLeft(missing) && missing.left._tag).toBe("InvalidMultiaddr")
  })

  test("inbound connections beyond maxConnections are refused", async () => {
    const a = await start({ maxConnections: 1 })
    const b = await start()
    const c = await start()
    await Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? ""))
    await waitFor(() => a.host.connectionCount() === 1, 3000, "first connection")
    const refused = await Effect.runPromise(Effect.either(c.host.dial(a.host.multiaddrs()[0] ?? "")))
    expect(Either.isLeft(refused) && refused.left._tag).toBe("DialFailed")
    expect(a.host.connectionCount()).toBe(1)
    expect(a.host.connectionCount(b.host.peerId)).toBe(1)
  })

  test("a quilbun peer of another network is disconnected after identify", async () => {
    const a = await start()
    const foreign = await start({ networkId: 1 })
    await Effect.runPromise(Effect.either(foreign.host.dial(a.host.multiaddrs()[0] ?? "")))
    await waitFor(() => a.host.foreignNetworkDisconnects() + foreign.host.foreignNetworkDisconnects() >= 1)
    await waitFor(() => a.host.connectionCount() === 0 && foreign.host.connectionCount() === 0, 3000, "disconnect")
  })

  test("as a Layer: the service is available inside and stopped when the layer's scope ends", async () => {
    const libp2p = await Effect.runPromise(
      Effect.gen(function* () {
        const host = yield* P2PHost
        expect(host.libp2p.status).toBe("started")
        expect(host.multiaddrs().length).toBeGreaterThan(0)
        return host.libp2p
      }).pipe(Effect.provide(P2PHostLive(testHostConfig()))),
    )
    expect(libp2p.status).toBe("stopped")
  })

  test("closing the scope stops the host", async () => {
    const a = await startHost()
    const address = a.host.multiaddrs()[0] ?? ""
    await a.close()
    expect(a.host.libp2p.status).toBe("stopped")
    const b = await start()
    const refused = await Effect.runPromise(Effect.either(b.host.dial(address)))
    expect(Either.isLeft(refused)).toBe(true)
  })
})
