// Reusable fast-check properties for a canonical (non-CBOR) codec: round trip, every truncation refused,
// and decoding total and canonical under single-byte and length-field corruption. Each codec test file
// calls `codecProperties` once per codec with an arbitrary of valid values.
import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import fc from "fast-check"

/** What every canonical decoder returns: a typed (tagged) error or the value, never a throw. */
type Decode<A> = (bytes: Uint8Array) => Either.Either<A, { readonly _tag: string }>

interface CodecPropertyOptions {
  /** Samples per property (default 12): the whole CI set must stay within a few seconds. */
  readonly numRuns?: number
  /** Every byte of this many leading bytes is mutated exhaustively (default 48: the prefix and first fields). */
  readonly mutateLeading?: number
}

/** Generous: on a loaded CI machine a property over the larger messages can take several seconds. */
const TIMEOUT_MS = 30_000

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

/** Decoding must not throw; a Left must be a tagged error. The result, for the caller to inspect. */
const decodeTotal = <A>(decode: Decode<A>, bytes: Uint8Array, what: string): Either.Either<A, { readonly _tag: string }> => {
  let result: Either.Either<A, { readonly _tag: string }>
  try {
    result = decode(bytes)
  } catch (e) {
    throw new Error(`${what}: the decoder threw ${String(e)} on ${hex(bytes).slice(0, 200)}`)
  }
  if (Either.isLeft(result) && typeof result.left._tag !== "string") throw new Error(`${what}: an untyped Left ${String(result.left)}`)
  return result
}

/** A decoded mutation is acceptable only if it is canonical: re-encoding gives back the very same bytes. */
const expectTotalAndCanonical = <A>(decode: Decode<A>, encode: (a: A) => Uint8Array, bytes: Uint8Array, what: string): void => {
  const result = decodeTotal(decode, bytes, what)
  if (Either.isRight(result)) {
    const again = encode(result.right)
    if (hex(again) !== hex(bytes)) throw new Error(`${what}: decoded but re-encodes differently (${hex(bytes).slice(0, 120)}…)`)
  }
}

/**
 * Offsets of every u32 that could be a length or count prefix (its value fits in what follows it).
 * Real prefixes are all among them; data words that happen to qualify only add harmless cases.
 */
const lengthFieldCandidates = (bytes: Uint8Array): Array<number> => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: Array<number> = []
  for (let at = 0; at + 4 <= bytes.length; at++) if (view.getUint32(at, false) <= bytes.length - at - 4) out.push(at)
  return out
}

const withU32 = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const copy = bytes.slice()
  new DataView(copy.buffer).setUint32(at, value >>> 0, false)
  return copy
}

const withByte = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const copy = bytes.slice()
  copy[at] = value & 0xff
  return copy
}

export const codecProperties = <A>(
  name: string,
  arbitrary: fc.Arbitrary<A>,
  encode: (a: A) => Uint8Array,
  decode: Decode<A>,
  options: CodecPropertyOptions = {},
): void => {
  const numRuns = options.numRuns ?? 12
  const leading = options.mutateLeading ?? 48
  describe(`${name} codec properties`, () => {
    test(
      "decode(encode(x)) = x, and re-encoding gives the same bytes",
      () => {
        fc.assert(
          fc.property(arbitrary, (x) => {
            const bytes = encode(x)
            const decoded = decodeTotal(decode, bytes, "valid encoding")
            if (Either.isLeft(decoded)) throw new Error(`valid encoding refused: ${decoded.left._tag} ${JSON.stringify(decoded.left)}`)
            expect(decoded.right).toEqual(x)
            expect(hex(encode(decoded.right))).toBe(hex(bytes))
          }),
          { numRuns },
        )
      },
      TIMEOUT_MS,
    )

    test(
      "every strict prefix and a trailing byte are typed Lefts, never a throw",
      () => {
        fc.assert(
          fc.property(arbitrary, fc.integer({ min: 0, max: 255 }), (x, extra) => {
            const bytes = encode(x)
            for (let cut = 0; cut < bytes.length; cut++) {
              const result = decodeTotal(decode, bytes.subarray(0, cut), `prefix of ${cut}/${bytes.length} bytes`)
              if (Either.isRight(result)) throw new Error(`the prefix of ${cut}/${bytes.length} bytes decoded`)
            }
            const longer = new Uint8Array(bytes.length + 1)
            longer.set(bytes)
            longer[bytes.length] = extra
            expect(Either.isLeft(decodeTotal(decode, longer, "a trailing byte"))).toBe(true)
          }),
          { numRuns },
        )
      },
      TIMEOUT_MS,
    )

    test(
      "a length or count made larger, smaller, zero or huge, and any single-byte change: total and canonical",
      () => {
        fc.assert(
          fc.property(arbitrary, fc.nat(), fc.integer({ min: 0, max: 255 }), (x, anywhere, value) => {
            const bytes = encode(x)
            const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
            for (const at of lengthFieldCandidates(bytes)) {
              const length = view.getUint32(at, false)
              for (const changed of [length + 1, length - 1, 0, length * 2 + 1, 0xffff_ffff]) {
                if (changed < 0 || changed === length) continue
                expectTotalAndCanonical(decode, encode, withU32(bytes, at, changed), `u32 at ${at}: ${length} -> ${changed}`)
              }
            }
            for (let at = 0; at < Math.min(leading, bytes.length); at++) {
              const byte = bytes[at] ?? 0
              for (const changed of [byte + 1, byte - 1, byte ^ 0x80, 0, 0xff]) {
                if ((changed & 0xff) !== byte) expectTotalAndCanonical(decode, encode, withByte(bytes, at, changed), `byte ${at}: ${byte} -> ${changed & 0xff}`)
              }
            }
            if (bytes.length > 0) {
              const at = anywhere % bytes.length
              expectTotalAndCanonical(decode, encode, withByte(bytes, at, value), `byte ${at} -> ${value}`)
            }
          }),
          { numRuns },
        )
      },
      TIMEOUT_MS,
    )
  })
}
