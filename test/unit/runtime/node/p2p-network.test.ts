// The node's bootstrap list: configured peers first, then remembered peers (Buckets.peers), one address
// each, never this node, never a peer twice, at most the host's cap.
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { bootstrapWithKnown, peerIdOfKey } from "../../../../runtime/node/p2p-network.ts"

const addr = (port: number, id: string) => `/ip4/127.0.0.1/tcp/${port}/p2p/${id}`

test("configured first, then one stored address per remembered peer, without self or repeats", () => {
  const configured = [addr(1, "A")]
  const known = [
    { key: "A", value: [addr(9, "A")] },
    { key: "B", value: ["/ip4/127.0.0.1/tcp/2", addr(2, "B"), addr(3, "B")] },
    { key: "SELF", value: [addr(4, "SELF")] },
    { key: "C", value: [addr(5, "not-C")] },
    { key: "D", value: [addr(6, "D")] },
    { key: "E", value: ["garbage/p2p/E"] },
  ]
  expect(bootstrapWithKnown(configured, known, "SELF", 64)).toEqual([addr(1, "A"), addr(2, "B"), addr(6, "D")])
  expect(bootstrapWithKnown(configured, known, "SELF", 2)).toEqual([addr(1, "A"), addr(2, "B")])
  expect(bootstrapWithKnown([], [], "SELF", 64)).toEqual([])
})

test("the peer id of keys/peer.key is stable and differs between keys", async () => {
  const a = await Effect.runPromise(peerIdOfKey(new Uint8Array(32).fill(1)))
  expect(a).toStartWith("12D3KooW")
  expect(await Effect.runPromise(peerIdOfKey(new Uint8Array(32).fill(1)))).toBe(a)
  expect(await Effect.runPromise(peerIdOfKey(new Uint8Array(32).fill(2)))).not.toBe(a)
  expect((await Effect.runPromise(Effect.either(peerIdOfKey(new Uint8Array(5)))))._tag).toBe("Left")
})
