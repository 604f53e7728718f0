import { expect, test } from "bun:test"
import { ALL_BUCKETS, bucketDbName, Buckets, KeyCodec, prefixEnd, validateRegistry } from "../../../../runtime/store/index.ts"

const cmp = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b)

test("u64 keys are big-endian and order like the numbers", () => {
  const ns = [0n, 1n, 255n, 256n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n]
  const enc = ns.map(KeyCodec.u64.encode)
  for (let i = 1; i < enc.length; i++) expect(cmp(enc[i - 1]!, enc[i]!)).toBe(-1)
  expect(enc.map(KeyCodec.u64.decode)).toEqual(ns)
  expect([...KeyCodec.u64.encode(258n)]).toEqual([0, 0, 0, 0, 0, 0, 1, 2])
  expect(() => KeyCodec.u64.encode(-1n)).toThrow()
  expect(KeyCodec.u64Number.decode(KeyCodec.u64Number.encode(2 ** 40 + 7))).toBe(2 ** 40 + 7)
  for (const n of [0, 1, 255, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
    expect(KeyCodec.u64Number.encode(n)).toEqual(KeyCodec.u64.encode(BigInt(n)))
    expect(KeyCodec.u64Number.decode(KeyCodec.u64Number.encode(n))).toBe(n)
  }
  expect(() => KeyCodec.u64Number.decode(KeyCodec.u64.encode(2n ** 60n))).toThrow()
  expect(() => KeyCodec.u64Number.encode(2 ** 53)).toThrow()
})

test("tuple keys keep lexicographic order of their parts, with variable parts escaped", () => {
  const codec = KeyCodec.tuple(KeyCodec.bytes, KeyCodec.u64Number)
  const keys: Array<readonly [Uint8Array, number]> = [
    [Uint8Array.of(), 5],
    [Uint8Array.of(0), 1],
    [Uint8Array.of(0, 0), 0],
    [Uint8Array.of(1), 0],
    [Uint8Array.of(1), 9],
    [Uint8Array.of(1, 0), 0],
    [Uint8Array.of(1, 255), 0],
    [Uint8Array.of(2), 0],
  ]
  const enc = keys.map((k) => codec.encode(k))
  for (let i = 1; i < enc.length; i++) expect(cmp(enc[i - 1]!, enc[i]!)).toBe(-1)
  expect(enc.map((e) => codec.decode(e))).toEqual(keys)
  const withString = KeyCodec.tuple(KeyCodec.u32, KeyCodec.string)
  expect(withString.decode(withString.encode([7, "héllo"]))).toEqual([7, "héllo"])
  expect(withString.fixedLength).toBeUndefined()
  expect(KeyCodec.tuple(KeyCodec.u32, KeyCodec.u64).fixedLength).toBe(12)
  // a prefix of the leading parts matches exactly the keys that start with those parts
  const p = codec.prefix(Uint8Array.of(1))
  expect(enc.filter((e) => cmp(e.subarray(0, p.length), p) === 0).length).toBe(2)
})

test("prefixEnd is the first key after the prefix range", () => {
  expect([...prefixEnd(Uint8Array.of(1, 2))!]).toEqual([1, 3])
  expect([...prefixEnd(Uint8Array.of(1, 255))!]).toEqual([2])
  expect(prefixEnd(Uint8Array.of(255, 255))).toBeUndefined()
})

test("bucket registry: unique numbers and names, derived LMDB names", () => {
  expect(() => validateRegistry()).not.toThrow()
  expect(bucketDbName(Buckets.clockFramesApp)).toBe("003_clock_frames_app")
  expect(new Set(ALL_BUCKETS.map((b) => b.id)).size).toBe(ALL_BUCKETS.length)
  expect(() => validateRegistry([...ALL_BUCKETS, { id: 3, name: "other" }])).toThrow("reused")
  expect(() => bucketDbName({ id: 12, name: "Bad Name" })).toThrow()
})

test("bucket numbers are pinned: changing or reusing one must fail this test", () => {
  expect(Object.fromEntries(ALL_BUCKETS.map((b) => [b.id, b.name]))).toEqual({
    1: "meta",
    2: "clock_frames_global",
    3: "clock_frames_app",
    4: "consensus_state",
    5: "coins",
    6: "vertices",
    7: "proofs",
    8: "peers",
    9: "registry",
    10: "kv_test",
    11: "workers",
    12: "trie_nodes",
    13: "execution_frames",
    14: "shard_commits",
    15: "app_consensus_state",
    16: "app_frames",
    17: "bundle_status",
    18: "pending_bundles",
  })
})

test("decoded byte keys own their memory: LMDB's reused Buffer changing later does not change them", () => {
  const lmdbKey = Buffer.from([
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 0, 0, 0, 0, 0, 0, 0, 9,
  ])
  const [part, frame] = KeyCodec.tuple(KeyCodec.fixedBytes(32), KeyCodec.u64).decode(lmdbKey)
  const whole = KeyCodec.bytes.decode(lmdbKey)
  lmdbKey.fill(0xee) // what lmdb does to its key buffer on the next read
  expect(Array.from(part.subarray(0, 3))).toEqual([1, 2, 3])
  expect(frame).toBe(9n)
  expect(whole[39]).toBe(9)
})
