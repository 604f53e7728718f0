import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import { decodeEnvelope, encodeEnvelope } from "../../../../runtime/network/envelope.ts"

describe("bitmask envelope", () => {
  test("round-trips bitmask and payload", () => {
    const bitmask = new Uint8Array([0, 0, 0x80])
    const payload = new Uint8Array([1, 2, 3, 4])
    const bytes = Either.getOrThrow(encodeEnvelope({ bitmask, payload }))
    expect([...bytes]).toEqual([0x01, 3, 0, 0, 0x80, 1, 2, 3, 4])
    const back = Either.getOrThrow(decodeEnvelope(bytes))
    expect(back.bitmask).toEqual(bitmask)
    expect(back.payload).toEqual(payload)
  })

  test("an empty payload is allowed", () => {
    const bytes = Either.getOrThrow(encodeEnvelope({ bitmask: new Uint8Array([0]), payload: new Uint8Array() }))
    expect(Either.getOrThrow(decodeEnvelope(bytes)).payload.length).toBe(0)
  })

  test("rejects unknown versions, truncation, and empty or oversized masks", () => {
    expect(Either.isLeft(decodeEnvelope(new Uint8Array([0x02, 1, 0])))).toBe(true)
    expect(Either.isLeft(decodeEnvelope(new Uint8Array([0x01, 4, 0, 0])))).toBe(true)
    expect(Either.isLeft(decodeEnvelope(new Uint8Array([0x01, 0])))).toBe(true)
    expect(Either.isLeft(decodeEnvelope(new Uint8Array([])))).toBe(true)
    expect(Either.isLeft(decodeEnvelope("not bytes"))).toBe(true)
    expect(Either.isLeft(encodeEnvelope({ bitmask: new Uint8Array(65), payload: new Uint8Array() }))).toBe(true)
  })
})
