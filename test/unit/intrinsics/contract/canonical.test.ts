import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import fc from "fast-check"
import {
  CanonicalReader,
  CanonicalWriter,
  canonicalWriter,
  decodeCanonical,
  MAX_COUNT,
  MAX_FIELD_BYTES,
  readTypePrefix,
} from "../../../../intrinsics/contract/index.ts"
import { notePut, noteRemove } from "./fixtures/note-intrinsic.ts"

const OP = 0x7777

interface Sample {
  readonly flag: number
  readonly height: bigint
  readonly blob: Uint8Array
  readonly items: ReadonlyArray<Uint8Array>
}

const encodeSample = (s: Sample): Uint8Array => {
  const w = canonicalWriter(OP).u8(s.flag).u64(s.height).bytes(s.blob).u32(s.items.length)
  for (const item of s.items) w.bytes(item)
  return w.finish()
}

const decodeSample = (bytes: Uint8Array) =>
  decodeCanonical(OP, bytes, (r) =>
    Either.gen(function* () {
      const flag = yield* r.u8("flag")
      const height = yield* r.u64("height")
      const blob = yield* r.bytes("blob", 64)
      const items = yield* r.list("items", (rr) => rr.bytes("item", 16), 8)
      return { flag, height, blob, items }
    }),
  )

const sample = fc.record({
  flag: fc.integer({ min: 0, max: 255 }),
  height: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  blob: fc.uint8Array({ maxLength: 64 }),
  items: fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 8 }),
})

describe("canonical codec helpers", () => {
  test("round-trip: decode(encode(x)) = x", () => {
    fc.assert(
      fc.property(sample, (s) => {
        const back = decodeSample(encodeSample(s))
        expect(Either.getOrThrow(back)).toEqual({ ...s, items: [...s.items] })
      }),
      { numRuns: 500 },
    )
  })

  test("big-endian layout: prefix, u8, u64, length-prefixed bytes", () => {
    const bytes = encodeSample({ flag: 1, height: 258n, blob: Uint8Array.of(9), items: [] })
    expect(Buffer.from(bytes).toString("hex")).toBe("00007777" + "01" + "0000000000000102" + "0000000109" + "00000000")
  })

  test("a wrong type prefix, trailing bytes and over-long fields are malformed, with the field named", () => {
    const good = encodeSample({ flag: 0, height: 0n, blob: new Uint8Array(0), items: [] })
    const wrongPrefix = good.slice()
    wrongPrefix[3] = 0x78
    const refused = decodeSample(wrongPrefix)
    expect(Either.isLeft(refused) && refused.left.reason).toBe("type prefix 0x7778 is not 0x7777")
    const trailing = Uint8Array.from([...good, 0])
    expect(Either.isLeft(decodeSample(trailing))).toBe(true)
    const tooLong = canonicalWriter(OP).u8(0).u64(0n).bytes(new Uint8Array(65)).u32(0).finish()
    const left = decodeSample(tooLong)
    expect(Either.isLeft(left) && left.left.message).toBe("operation 0x7777: malformed: blob: length 65 exceeds 64")
  })

  test("a huge length or count is refused before anything is allocated", () => {
    const reader = new CanonicalReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff), OP)
    expect(Either.isLeft(reader.bytes("blob"))).toBe(true)
    const counts = new CanonicalReader(new CanonicalWriter().u32(MAX_COUNT + 1).finish(), OP)
    expect(Either.isLeft(counts.count("items"))).toBe(true)
    // a length within the bound but beyond the buffer is a truncation, not an allocation
    const truncated = new CanonicalReader(new CanonicalWriter().u32(MAX_FIELD_BYTES).finish(), OP)
    expect(Either.isLeft(truncated.bytes("blob"))).toBe(true)
  })

  test("the writer refuses out-of-range integers (a programming error, not input)", () => {
    expect(() => new CanonicalWriter().u8(256)).toThrow(RangeError)
    expect(() => new CanonicalWriter().u32(-1)).toThrow(RangeError)
    expect(() => new CanonicalWriter().u64(1n << 64n)).toThrow(RangeError)
  })

  test("readTypePrefix needs four bytes", () => {
    expect(Either.isLeft(readTypePrefix(Uint8Array.of(0, 0, 5)))).toBe(true)
    expect(readTypePrefix(Uint8Array.of(0, 0, 5, 9, 1))).toEqual(Either.right(0x0509))
  })

  test("a codec body that throws still yields a malformed Left", () => {
    const result = decodeCanonical(OP, canonicalWriter(OP).finish(), () => {
      throw new Error("codec bug")
    })
    expect(Either.isLeft(result) && result.left.reason).toBe("decoder threw: codec bug")
  })
})

describe("decoding is total", () => {
  const decoders: ReadonlyArray<(b: Uint8Array) => Either.Either<unknown, unknown>> = [decodeSample, notePut.decode, noteRemove.decode]

  const noThrow = (bytes: Uint8Array): void => {
    for (const decode of decoders) {
      const result = decode(bytes)
      expect(Either.isEither(result)).toBe(true)
    }
  }

  test("10,000 random buffers (with and without a matching prefix) never throw", () => {
    const prefixed = fc
      .tuple(fc.constantFrom(OP, 0x7001, 0x7002), fc.uint8Array({ maxLength: 120 }))
      .map(([op, rest]) => Uint8Array.from([...new CanonicalWriter().u32(op).finish(), ...rest]))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), prefixed), noThrow), { numRuns: 10_000 })
  })

  test("every truncation and single-byte corruption of valid encodings is a Left, never a throw", () => {
    fc.assert(
      fc.property(sample, fc.nat(), fc.integer({ min: 0, max: 255 }), (s, at, byte) => {
        const bytes = encodeSample(s)
        for (let n = 0; n < bytes.length; n++) expect(Either.isLeft(decodeSample(bytes.subarray(0, n)))).toBe(true)
        const corrupted = bytes.slice()
        corrupted[at % bytes.length] = byte
        noThrow(corrupted)
      }),
      { numRuns: 300 },
    )
  })
})
