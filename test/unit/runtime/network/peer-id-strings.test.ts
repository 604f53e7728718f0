import { describe, expect, test } from "bun:test"
import { generateKeyPair } from "@libp2p/crypto/keys"
import { peerIdFromMultihash, peerIdFromPrivateKey } from "@libp2p/peer-id"
import * as Digest from "multiformats/hashes/digest"
import { PeerIdStrings } from "../../../../runtime/network/peer-id-strings.ts"

const freshPeerIds = async (count: number) => Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair("Ed25519"))))

// A new PeerId object from the same bytes, as the router builds for every message.
const copyOf = (peerId: ReturnType<typeof peerIdFromPrivateKey>) => peerIdFromMultihash(Digest.decode(peerId.toMultihash().bytes))

describe("PeerIdStrings", () => {
  test("gives each peer id's own string, also for fresh objects with the same bytes", async () => {
    const strings = new PeerIdStrings(16)
    const peers = await freshPeerIds(5)
    for (let round = 0; round < 3; round++) {
      for (const peer of peers) expect(strings.of(copyOf(peer))).toBe(peer.toString())
    }
    expect(strings.size).toBe(5)
  })

  test("stays within its bound and still answers correctly for evicted peers", async () => {
    const strings = new PeerIdStrings(3)
    const peers = await freshPeerIds(7)
    for (const peer of peers) expect(strings.of(copyOf(peer))).toBe(peer.toString())
    expect(strings.size).toBe(3)
    expect(strings.of(copyOf(peers[0]!))).toBe(peers[0]!.toString())
    expect(strings.size).toBe(3)
  })
})
