// Libp2pTransportLive: the Transport service comes out of a P2PHost layer, with the host's peer id.
import { expect, test } from "bun:test"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { P2PHost, P2PHostLive } from "../../../runtime/network/host.ts"
import { Libp2pTransportLive } from "../../../runtime/network/libp2p-transport.ts"
import { Transport } from "../../../runtime/kernel/transport/transport.ts"
import { testHostConfig } from "./helpers.ts"

test("Libp2pTransportLive provides the Transport over the P2PHost of the same context", () =>
  Effect.runPromise(
    Effect.gen(function* () {
      const transport = yield* Transport
      const host = yield* P2PHost
      expect(transport.peerId).toBe(host.peerId)
      expect(yield* transport.peers).toEqual([])
      yield* transport.publish(Uint8Array.of(0x00, 0x01), Uint8Array.of(1)) // no peers: best effort, no failure
      const unknown = yield* Effect.either(transport.request("not-a-peer-id", "/x/1", Uint8Array.of(1)))
      expect(unknown._tag === "Left" && unknown.left.reason).toBe("unreachable")
    }).pipe(Effect.provide(Layer.provideMerge(Libp2pTransportLive(), P2PHostLive(testHostConfig()))), Logger.withMinimumLogLevel(LogLevel.Warning)),
  ))
