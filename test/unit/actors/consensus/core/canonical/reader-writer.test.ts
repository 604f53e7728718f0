import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import { CanonicalReader, decodeWhole } from "../../../../../../actors/consensus/core/canonical/reader.ts"
import { CanonicalWriter, concatBytes, u64BigEndian } from "../../../../../../actors/consensus/core/canonical/writer.ts"

const leftTag = <A, E extends { readonly _tag: string }>(e: Either.Either<A, E>): string => Either.match(e, { onLeft: (l) => l._tag, onRight: () => "Right" })

describe("CanonicalWriter", () => {
  test("writes fixed-width big-endian integers and length-prefixed bytes", () => {
    const bytes = new CanonicalWriter(2)
      .u32(0x030c)
      .u64(0x0102030405060708n)
      .i64(-2n)
      .u16(0xbeef)
      .u8(7)
      .bytes(hexToBytes("aabb"))
      .nested(undefined)
      .repeatedBytes([hexToBytes("01"), new Uint8Array()])
      .finish()
    expect(bytesToHex(bytes)).toBe(
      "0000030c" + "0102030405060708" + "fffffffffffffffe" + "beef" + "07" + "00000002aabb" + "00000000" + "00000002" + "0000000101" + "00000000",
    )
  })

  test("grows from a zero initial capacity", () => {
    expect(bytesToHex(new CanonicalWriter(0).u32(1).finish())).toBe("00000001")
  })

  test("rejects out-of-range integers instead of wrapping", () => {
    expect(() => new CanonicalWriter().u32(2 ** 32)).toThrow(RangeError)
    expect(() => new CanonicalWriter().u64(-1n)).toThrow(RangeError)
    expect(() => new CanonicalWriter().u64(1n << 64n)).toThrow(RangeError)
    expect(() => new CanonicalWriter().i64(1n << 63n)).toThrow(RangeError)
  })

  test("u64BigEndian and concatBytes", () => {
    expect(bytesToHex(u64BigEndian(244200n))).toBe("000000000003b9e8")
    expect(bytesToHex(concatBytes(hexToBytes("01"), new Uint8Array(), hexToBytes("0203")))).toBe("010203")
  })
})

describe("CanonicalReader", () => {
  test("reads back what the writer wrote", () => {
    const bytes = new CanonicalWriter().u32(9).u64(10n).i64(-3n).bytes(hexToBytes("cafe")).finish()
    const r = new CanonicalReader(bytes, "T")
    expect(Either.getOrThrow(r.u32("a"))).toBe(9)
    expect(Either.getOrThrow(r.u64("b"))).toBe(10n)
    expect(Either.getOrThrow(r.i64("c"))).toBe(-3n)
    expect(bytesToHex(Either.getOrThrow(r.bytes("d", 2)))).toBe("cafe")
    expect(Either.isRight(r.end())).toBe(true)
  })

  test("truncated integer", () => {
    expect(leftTag(new CanonicalReader(hexToBytes("000000"), "T").u32("x"))).toBe("CanonicalTruncated")
  })

  test("length over limit is reported before any allocation", () => {
    const r = new CanonicalReader(hexToBytes("ffffffff"), "T")
    const e = r.bytes("huge", 64)
    expect(leftTag(e)).toBe("CanonicalLengthOverLimit")
  })

  test("length within limit but beyond the input is truncated", () => {
    expect(leftTag(new CanonicalReader(hexToBytes("00000010aabb"), "T").bytes("f", 64))).toBe("CanonicalTruncated")
  })

  test("count must fit both its limit and the remaining input", () => {
    expect(leftTag(new CanonicalReader(hexToBytes("00000101"), "T").count("c", 256, 4))).toBe("CanonicalLengthOverLimit")
    expect(leftTag(new CanonicalReader(hexToBytes("00000100"), "T").count("c", 256, 4))).toBe("CanonicalTruncated")
    expect(leftTag(new CanonicalReader(hexToBytes("00000003"), "T").exactCount("c", 4, 0))).toBe("CanonicalBadLength")
  })

  test("type prefix, exact lengths, required nested, trailing bytes", () => {
    expect(leftTag(new CanonicalReader(hexToBytes("0000030d"), "T").typePrefix(0x030c))).toBe("CanonicalBadTypePrefix")
    expect(leftTag(new CanonicalReader(hexToBytes("00000003aabbcc"), "T").exactBytes("o", [516]))).toBe("CanonicalBadLength")
    expect(leftTag(new CanonicalReader(hexToBytes("00000000"), "T").requiredNested("n", 10))).toBe("CanonicalMissingField")
    const r = new CanonicalReader(hexToBytes("00000000"), "T")
    expect(Either.getOrThrow(r.optionalNested("n", 10))).toBeUndefined()
    expect(leftTag(decodeWhole(hexToBytes("0000000101"), "T", (rd) => rd.u32("x")))).toBe("CanonicalTrailingBytes")
  })

  test("decoded bytes are copies, not views of the input", () => {
    const input = hexToBytes("00000002aabb")
    const out = Either.getOrThrow(new CanonicalReader(input, "T").bytes("f", 2))
    input[4] = 0
    expect(bytesToHex(out)).toBe("aabb")
  })
})
