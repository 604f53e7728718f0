import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { sha3_256 } from "@noble/hashes/sha3.js"
import {
  bitmaskFromHex,
  bloomFilter,
  bloomFilterFromDigest,
  BULK_SHARD_CONSENSUS,
  BULK_SHARD_FRAMES,
  GLOBAL_ALERT,
  GLOBAL_CONSENSUS,
  GLOBAL_FRAME,
  GLOBAL_PEER_INFO,
  GLOBAL_PROVER,
  isDeliverable,
  shardChannels,
  sliceBitmask,
  subscriptionAccepts,
  subscriptionsForRoles,
} from "../../../../runtime/network/bitmask.ts"

/**
 * node.md §4.2 `GetBloomFilter(address, 256, 3)`, followed word by word with big integers and no
 * byte-level shortcuts, as an independent oracle for the implementation.
 */
const specBloomFilter = (digest: Uint8Array): string => {
  // 1. d read as a big-endian 256-bit integer
  const d = BigInt(`0x${bytesToHex(digest)}`)
  // 2. window size: bitlen(256) - 1
  const windowBits = (256).toString(2).length - 1
  let filter = 0n
  let windows = 3
  for (let i = 0; i < windows && i < 8; i++) {
    // 3. pos from integer bits windowBits*i ... counted from the LSB; the first bit read is pos's MSB
    let pos = 0
    for (let j = 0; j < windowBits; j++) {
      const bit = Number((d >> BigInt(windowBits * i + j)) & 1n)
      pos = (pos << 1) | bit
    }
    // 4. set bit pos; if it was already set, read one more window
    const bit = 1n << BigInt(pos)
    if ((filter & bit) !== 0n) {
      windows++
      continue
    }
    filter |= bit
  }
  // 5. 32 big-endian bytes
  return filter.toString(16).padStart(64, "0")
}

const popcount = (mask: Uint8Array): number => mask.reduce((n, byte) => n + byte.toString(2).replaceAll("0", "").length, 0)

const addresses = Array.from({ length: 300 }, (_, i) => {
  const a = new Uint8Array(32)
  new DataView(a.buffer).setUint32(0, i * 2654435761)
  a[31] = i & 0xff
  return a
})

describe("bloomFilter (GetBloomFilter(address, 256, 3))", () => {
  test("hand-worked digest with a collision", () => {
    // d[31] = 0x01 → reversed 0x80 → pos 128 → byte 31 - 16 = 15, bit 0
    // d[30] = 0x80 → reversed 0x01 → pos 1   → byte 31, bit 1
    // d[29] = 0x01 → pos 128 again → collision, one more window
    // d[28] = 0xff → pos 255 → byte 0, bit 7
    const digest = new Uint8Array(32)
    digest[31] = 0x01
    digest[30] = 0x80
    digest[29] = 0x01
    digest[28] = 0xff
    const expected = new Uint8Array(32)
    expected[15] = 0x01
    expected[31] = 0x02
    expected[0] = 0x80
    expect(bytesToHex(bloomFilterFromDigest(digest))).toBe(bytesToHex(expected))
    expect(specBloomFilter(digest)).toBe(bytesToHex(expected))
  })

  test("hand-worked digest: window i is the bit-reversal of byte d[31 - i]", () => {
    const digest = new Uint8Array(32)
    digest[31] = 0b0000_0110 // reversed 0b0110_0000 = 96 → byte 31 - 12 = 19, bit 0
    digest[30] = 0b1100_0000 // reversed 0b0000_0011 = 3  → byte 31, bit 3
    digest[29] = 0b0000_0011 // reversed 0b1100_0000 = 192 → byte 31 - 24 = 7, bit 0
    digest[28] = 0xff // not read: three distinct positions already
    const expected = new Uint8Array(32)
    expected[19] = 0x01
    expected[31] = 0x08
    expected[7] = 0x01
    expect(bytesToHex(bloomFilterFromDigest(digest))).toBe(bytesToHex(expected))
  })

  test("matches the literal spec algorithm on 300 addresses", () => {
    for (const address of addresses) {
      expect(bytesToHex(bloomFilter(address))).toBe(specBloomFilter(sha3_256(address)))
    }
  })

  test("golden: the all-zero address, worked by hand", () => {
    // SHA3-256(00×32) = 9e6291…ed3b9e4e. Windows: d[31] = 0x4e → rev 0x72 = 114 → byte 17 bit 2;
    // d[30] = 0x9e → rev 0x79 = 121 → byte 16 bit 1; d[29] = 0x3b → rev 0xdc = 220 → byte 4 bit 4.
    const zero = new Uint8Array(32)
    expect(bytesToHex(sha3_256(zero))).toBe("9e6291970cb44dd94008c79bcaf9d86f18b4b49ba5b2a04781db7199ed3b9e4e")
    expect(bytesToHex(bloomFilter(zero))).toBe("0000000010000000000000000000000002040000000000000000000000000000")
    const counting = Uint8Array.from({ length: 32 }, (_, i) => i)
    expect(bytesToHex(bloomFilter(counting))).toBe("0000000000000000000100000000000002000000000000000000020000000000")
  })

  test("exactly 3 bits set in 32 bytes", () => {
    for (const address of addresses) {
      const mask = bloomFilter(address)
      expect(mask.length).toBe(32)
      expect(popcount(mask)).toBe(3)
    }
  })
})

describe("sliceBitmask", () => {
  test("an all-zero mask is its own single slice, so the global channels stay distinct", () => {
    const globals = [GLOBAL_CONSENSUS, GLOBAL_FRAME, GLOBAL_PROVER, GLOBAL_PEER_INFO, GLOBAL_ALERT]
    expect(globals.map(bytesToHex)).toEqual(["00", "0000", "000000", "00000000", "00".repeat(16)])
    for (const mask of globals) expect(sliceBitmask(mask).map(bytesToHex)).toEqual([bytesToHex(mask)])
  })

  test("one same-length slice per set bit, bytes in order, bits MSB to LSB", () => {
    expect(sliceBitmask(bitmaskFromHex("a001")).map(bytesToHex)).toEqual(["8000", "2000", "0001"])
    expect(sliceBitmask(bitmaskFromHex("00ff")).map(bytesToHex)).toEqual(["0080", "0040", "0020", "0010", "0008", "0004", "0002", "0001"])
  })

  test("slices recombine into the mask and are disjoint single bits", () => {
    for (const address of addresses.slice(0, 50)) {
      for (const mask of Object.values(shardChannels(bloomFilter(address)))) {
        const slices = sliceBitmask(mask)
        const recombined = new Uint8Array(mask.length)
        for (const slice of slices) {
          expect(slice.length).toBe(mask.length)
          expect(popcount(slice)).toBe(1)
          slice.forEach((byte, i) => {
            expect(recombined[i]! & byte).toBe(0)
            recombined[i] = recombined[i]! | byte
          })
        }
        expect(bytesToHex(recombined)).toBe(bytesToHex(mask))
        expect(slices.length).toBe(3)
      }
    }
  })

  test("the archive bulk mask has 256 slices", () => {
    expect(sliceBitmask(BULK_SHARD_FRAMES).length).toBe(256)
    expect(sliceBitmask(BULK_SHARD_CONSENSUS).length).toBe(256)
    expect(sliceBitmask(BULK_SHARD_CONSENSUS)[0]?.length).toBe(33)
  })
})

describe("channel map", () => {
  test("per-shard channels prefix the appFilter with 0, 1, 2 or 3 zero bytes", () => {
    const appFilter = bloomFilter(addresses[7]!)
    const hex = bytesToHex(appFilter)
    const channels = shardChannels(appFilter)
    expect(bytesToHex(channels.frames)).toBe(hex)
    expect(bytesToHex(channels.consensus)).toBe(`00${hex}`)
    expect(bytesToHex(channels.dispatch)).toBe(`0000${hex}`)
    expect(bytesToHex(channels.prover)).toBe(`000000${hex}`)
  })
})

describe("delivery matching", () => {
  const mask = bitmaskFromHex("8001")
  test("delivered only if every slice is subscribed", () => {
    expect(isDeliverable(mask, new Set(["8000", "0001"]))).toBe(true)
    expect(isDeliverable(mask, new Set(["8000", "0001", "4000"]))).toBe(true)
    expect(isDeliverable(mask, new Set(["8000"]))).toBe(false)
    expect(isDeliverable(mask, new Set([]))).toBe(false)
    // same bits, other length: a different channel
    expect(isDeliverable(bitmaskFromHex("800000"), new Set(["8000"]))).toBe(false)
    expect(isDeliverable(GLOBAL_FRAME, new Set(["00"]))).toBe(false)
    expect(isDeliverable(GLOBAL_FRAME, new Set(["0000"]))).toBe(true)
  })

  test("narrow subscriptions take exact masks; broad ones take any covered mask of their length", () => {
    expect(subscriptionAccepts(mask, bitmaskFromHex("8001"))).toBe(true)
    expect(subscriptionAccepts(mask, bitmaskFromHex("8000"))).toBe(false)
    const appFilter = bloomFilter(addresses[3]!)
    expect(subscriptionAccepts(BULK_SHARD_FRAMES, appFilter)).toBe(true)
    expect(subscriptionAccepts(BULK_SHARD_CONSENSUS, shardChannels(appFilter).consensus)).toBe(true)
    expect(subscriptionAccepts(BULK_SHARD_FRAMES, shardChannels(appFilter).consensus)).toBe(false)
  })
})

describe("role gating", () => {
  const hexes = (masks: ReadonlyArray<Uint8Array>) => new Set(masks.map(bytesToHex))
  const appFilter = bloomFilter(addresses[11]!)
  const channels = shardChannels(appFilter)

  test("a plain node subscribes only to PEER_INFO and ALERT", () => {
    expect(hexes(subscriptionsForRoles({ archive: false, shards: [] }))).toEqual(hexes([GLOBAL_PEER_INFO, GLOBAL_ALERT]))
  })

  test("archives add the global consensus channels and the bulk shard masks", () => {
    expect(hexes(subscriptionsForRoles({ archive: true, shards: [] }))).toEqual(
      hexes([GLOBAL_PEER_INFO, GLOBAL_ALERT, GLOBAL_CONSENSUS, GLOBAL_FRAME, GLOBAL_PROVER, BULK_SHARD_FRAMES, BULK_SHARD_CONSENSUS]),
    )
  })

  test("an active shard adds its channels; only provers take its consensus channel", () => {
    const observer = hexes(subscriptionsForRoles({ archive: false, shards: [{ appFilter, prover: false }] }))
    expect(observer).toEqual(hexes([GLOBAL_PEER_INFO, GLOBAL_ALERT, channels.frames, channels.dispatch, channels.prover]))
    const prover = hexes(subscriptionsForRoles({ archive: false, shards: [{ appFilter, prover: true }] }))
    expect(prover.has(bytesToHex(channels.consensus))).toBe(true)
    expect(prover.size).toBe(6)
  })
})
