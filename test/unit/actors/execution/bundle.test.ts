import { expect, test } from "bun:test"
import * as Either from "effect/Either"
import { decodeBundle, encodeBundle } from "../../../../actors/execution/bundle.ts"

const domain = new Uint8Array(32).fill(7)

test("a routed bundle round-trips and has the reference's MessageBundle framing after its domain", () => {
  const bundle = { domain, requests: [Uint8Array.of(0, 0, 0x70, 1, 9), Uint8Array.of(0, 0, 0x70, 2)], timestamp: -5n }
  const bytes = encodeBundle(bundle)
  // domain ‖ 0x0312 ‖ count 2 ‖ (len ‖ 0x0311 ‖ len ‖ op)* ‖ i64
  expect(Buffer.from(bytes.subarray(32, 44)).toString("hex")).toBe("00000312" + "00000002" + "0000000d")
  expect(Buffer.from(bytes.subarray(44, 52)).toString("hex")).toBe("00000311" + "00000005")
  expect(decodeBundle(bytes)).toEqual(Either.right(bundle))
})

test("decoding is total: truncations, trailing bytes, zero timestamps and empty requests are typed refusals", () => {
  const bytes = encodeBundle({ domain, requests: [Uint8Array.of(0, 0, 0x70, 1)], timestamp: 1n })
  for (let n = 0; n < bytes.length; n++) expect(Either.isLeft(decodeBundle(bytes.subarray(0, n)))).toBe(true)
  expect(Either.isLeft(decodeBundle(Uint8Array.of(...bytes, 0)))).toBe(true)
  expect(Either.isLeft(decodeBundle(encodeBundle({ domain, requests: [Uint8Array.of(0, 0, 0x70, 1)], timestamp: 0n })))).toBe(true)
  expect(Either.isLeft(decodeBundle(encodeBundle({ domain, requests: [new Uint8Array(0)], timestamp: 1n })))).toBe(true)
  const wrongPrefix = bytes.slice()
  wrongPrefix[35] = 0x13
  expect(Either.isLeft(decodeBundle(wrongPrefix))).toBe(true)
})
