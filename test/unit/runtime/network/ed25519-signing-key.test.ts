import { describe, expect, test } from "bun:test"
import { randomBytes } from "node:crypto"
import { generateKeyPairFromSeed, privateKeyToProtobuf } from "@libp2p/crypto/keys"
import { peerIdFromPrivateKey } from "@libp2p/peer-id"
import { Effect } from "effect"
import { Uint8ArrayList } from "uint8arraylist"
import { CachedEd25519PrivateKey } from "../../../../runtime/network/ed25519-signing-key.ts"
import { peerKeyFromBytes } from "../../../../runtime/network/identity.ts"

describe("CachedEd25519PrivateKey", () => {
  test("signatures are byte-identical to @libp2p/crypto's and verify with the library's public key", async () => {
    for (let round = 0; round < 8; round++) {
      const library = await generateKeyPairFromSeed("Ed25519", new Uint8Array(randomBytes(32)))
      const cached = new CachedEd25519PrivateKey(library)
      for (const size of [0, 1, 31, 1024, 64 * 1024 + 7]) {
        const data = new Uint8Array(randomBytes(size))
        const ours = await cached.sign(data)
        expect(ours).toBeInstanceOf(Uint8Array)
        expect(ours.length).toBe(64)
        expect(ours).toEqual(await library.sign(data))
        expect(await library.publicKey.verify(data, ours)).toBe(true)
      }
    }
  })

  test("signs a Uint8ArrayList like its concatenation", async () => {
    const library = await generateKeyPairFromSeed("Ed25519", new Uint8Array(randomBytes(32)))
    const cached = new CachedEd25519PrivateKey(library)
    const parts = [new Uint8Array(randomBytes(10)), new Uint8Array(randomBytes(300))]
    const joined = new Uint8Array([...parts[0]!, ...parts[1]!])
    // the root uint8arraylist (2.x) is not the 3.x libp2p's types name; sign only needs subarray()
    const list = new Uint8ArrayList(...parts) as unknown as Parameters<CachedEd25519PrivateKey["sign"]>[0]
    expect(await cached.sign(list)).toEqual(await cached.sign(joined))
  })

  test("a different key gives a different signature (the cache is per key)", async () => {
    const a = new CachedEd25519PrivateKey(await generateKeyPairFromSeed("Ed25519", new Uint8Array(32).fill(1)))
    const b = new CachedEd25519PrivateKey(await generateKeyPairFromSeed("Ed25519", new Uint8Array(32).fill(2)))
    const data = new TextEncoder().encode("libp2p-pubsub:")
    expect(await a.sign(data)).not.toEqual(await b.sign(data))
    expect(await b.publicKey.verify(data, await a.sign(data))).toBe(false)
  })

  test("keeps the library key's identity: raw bytes, public key, equality, protobuf, peer id", async () => {
    const library = await generateKeyPairFromSeed("Ed25519", new Uint8Array(randomBytes(32)))
    const cached = new CachedEd25519PrivateKey(library)
    expect(cached.type).toBe("Ed25519")
    expect(cached.raw).toEqual(library.raw)
    expect(cached.publicKey.equals(library.publicKey)).toBe(true)
    expect(cached.equals(library)).toBe(true)
    expect(privateKeyToProtobuf(cached)).toEqual(privateKeyToProtobuf(library))
    expect(peerIdFromPrivateKey(cached).toString()).toBe(peerIdFromPrivateKey(library).toString())
  })

  test("small inputs are signed synchronously, large ones off the event loop with the same bytes", async () => {
    const library = await generateKeyPairFromSeed("Ed25519", new Uint8Array(randomBytes(32)))
    const cached = new CachedEd25519PrivateKey(library, 1024)
    const small = new Uint8Array(randomBytes(1023))
    expect(cached.sign(small)).toBeInstanceOf(Uint8Array)
    const large = new Uint8Array(randomBytes(1024))
    const offloaded = cached.sign(large)
    expect(offloaded).toBeInstanceOf(Promise)
    expect(await offloaded).toEqual(await library.sign(large))
    // nothing in flight any more: small ones are synchronous again
    expect(cached.sign(small)).toBeInstanceOf(Uint8Array)
  })

  test("signatures resolve in call order, even when a later one is computed first", async () => {
    const library = await generateKeyPairFromSeed("Ed25519", new Uint8Array(randomBytes(32)))
    const cached = new CachedEd25519PrivateKey(library, 4096)
    const inputs = [4 << 20, 10, 5000, 20, 1 << 20, 30].map((size) => new Uint8Array(randomBytes(size)))
    const order: Array<number> = []
    const results = await Promise.all(
      inputs.map(async (data, i) => {
        const signature = await cached.sign(data)
        order.push(i)
        return signature
      }),
    )
    expect(order).toEqual([0, 1, 2, 3, 4, 5])
    for (const [i, data] of inputs.entries()) expect(results[i]).toEqual(await library.sign(data))
  })

  test("honours an aborted signal", async () => {
    const cached = new CachedEd25519PrivateKey(await generateKeyPairFromSeed("Ed25519", new Uint8Array(32)))
    expect(() => cached.sign(new Uint8Array(4), { signal: AbortSignal.abort() })).toThrow()
  })

  test("peerKeyFromBytes hands out the cached key", async () => {
    const key = await Effect.runPromise(peerKeyFromBytes(new Uint8Array(randomBytes(32))))
    expect(key).toBeInstanceOf(CachedEd25519PrivateKey)
  })
})
