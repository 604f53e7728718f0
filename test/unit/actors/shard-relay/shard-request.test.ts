// The shard request envelope a master sends for its worker: round trip, and every truncation or bad
// protocol name refused with a typed error.
import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import fc from "fast-check"
import { decodeShardRequest, encodeShardRequest } from "../../../../actors/shard-relay/index.ts"

const envelope = fc.record({
  appFilter: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  protocol: fc.string({ minLength: 1, maxLength: 40 }),
  data: fc.uint8Array({ maxLength: 200 }),
})

describe("shard request envelope", () => {
  test("round-trips", () =>
    fc.assert(
      fc.property(envelope, (e) => {
        const decoded = decodeShardRequest(encodeShardRequest(e))
        expect(Either.getOrThrow(decoded)).toEqual(e)
      }),
    ))

  test("a cut inside the header or the protocol name is refused", () =>
    fc.assert(
      fc.property(envelope, (e) => {
        const bytes = encodeShardRequest(e)
        const headerEnd = 34 + new TextEncoder().encode(e.protocol).length
        for (let cut = 0; cut < headerEnd; cut++) expect(Either.isLeft(decodeShardRequest(bytes.subarray(0, cut)))).toBe(true)
      }),
      { numRuns: 50 },
    ))

  test("an empty, oversized or non-UTF-8 protocol name is refused", () => {
    const base = new Uint8Array(34 + 2)
    expect(Either.isLeft(decodeShardRequest(base))).toBe(true) // length 0
    const long = new Uint8Array(34 + 300)
    new DataView(long.buffer).setUint16(32, 300)
    expect(Either.isLeft(decodeShardRequest(long))).toBe(true)
    const bad = new Uint8Array(34 + 2)
    new DataView(bad.buffer).setUint16(32, 2)
    bad.set([0xff, 0xfe], 34)
    expect(decodeShardRequest(bad)).toEqual(Either.left(expect.objectContaining({ _tag: "BadShardRequest" })))
  })
})
