// Canonical codecs of the lifecycle operations: round trip, every truncation refused, decoding total
// and canonical under corruption (test/unit/support/codec-properties.ts), plus fixed layouts.
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import fc from "fast-check"
import {
  DEPRECATED_FILTER,
  decodeLifecycleOp,
  decodeProverConfirm,
  decodeProverJoin,
  decodeProverLeave,
  decodeProverPause,
  decodeProverUpdate,
  encodeLifecycleOp,
  encodeProverConfirm,
  encodeProverJoin,
  encodeProverLeave,
  encodeProverPause,
  encodeProverUpdate,
  type ProverJoin,
} from "../../../../intrinsics/global/index.ts"
import { codecProperties } from "../../support/codec-properties.ts"

const bytes = (max: number, min = 0) => fc.uint8Array({ minLength: min, maxLength: max })
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const addressed = fc.record({ signature: bytes(74, 74), address: bytes(32, 32) })
const filter = bytes(64, 32)

const join: fc.Arbitrary<ProverJoin> = fc.record({
  _tag: fc.constant("ProverJoin" as const),
  filters: fc.array(bytes(64), { maxLength: 3 }),
  frameNumber: u64,
  signature: fc.option(fc.record({ signature: bytes(74, 74), publicKey: bytes(585, 585), popSignature: bytes(74, 74) }), { nil: undefined }),
  delegateAddress: fc.oneof(bytes(0, 0), bytes(32, 32)),
  mergeTargets: fc.array(fc.record({ signature: bytes(114), keyType: fc.nat(), publicKey: bytes(64) }), { maxLength: 2 }),
  proof: bytes(1032),
})

codecProperties("ProverJoin", join, encodeProverJoin, decodeProverJoin, { numRuns: 8 })
codecProperties(
  "ProverLeave",
  fc.record({ _tag: fc.constant("ProverLeave" as const), filters: fc.array(bytes(64), { maxLength: 3 }), frameNumber: u64, signature: addressed }),
  encodeProverLeave,
  decodeProverLeave,
)
for (const tag of ["ProverPause", "ProverResume"] as const) {
  codecProperties(
    tag,
    fc.record({ _tag: fc.constant(tag), filter: bytes(64), frameNumber: u64, signature: addressed }),
    encodeProverPause,
    decodeProverPause(tag),
  )
}
for (const tag of ["ProverConfirm", "ProverReject"] as const) {
  codecProperties(
    tag,
    fc.record({ _tag: fc.constant(tag), filters: fc.array(filter, { maxLength: 3 }), frameNumber: u64, signature: addressed }),
    encodeProverConfirm,
    decodeProverConfirm(tag),
  )
}
codecProperties(
  "ProverUpdate",
  fc.record({ _tag: fc.constant("ProverUpdate" as const), delegateAddress: fc.oneof(bytes(0, 0), bytes(32, 32)), signature: addressed }),
  encodeProverUpdate,
  decodeProverUpdate,
)

describe("lifecycle codec layouts", () => {
  const sig = { signature: new Uint8Array(74).fill(7), address: new Uint8Array(32).fill(9) }

  test("ProverLeave is prefix ‖ filters ‖ frame ‖ nested addressed signature (0x011B)", () => {
    const out = encodeProverLeave({ _tag: "ProverLeave", filters: [new Uint8Array(32).fill(1)], frameNumber: 5n, signature: sig })
    const hex = Buffer.from(out).toString("hex")
    expect(hex.slice(0, 8)).toBe("00000302")
    expect(hex.slice(8, 16)).toBe("00000001")
    expect(hex.slice(16, 24)).toBe("00000020")
    const afterFilter = 24 + 64
    expect(hex.slice(afterFilter, afterFilter + 16)).toBe("0000000000000005")
    // nested: u32 len(4+4+74+4+32 = 118) ‖ 0x011B ‖ …
    expect(hex.slice(afterFilter + 16, afterFilter + 32)).toBe("000000760000011b")
    expect(out.length).toBe(4 + 4 + 4 + 32 + 8 + 4 + 118)
  })

  test("ProverConfirm writes the deprecated filter constant first and refuses any other value", () => {
    const out = encodeProverConfirm({ _tag: "ProverConfirm", filters: [new Uint8Array(32)], frameNumber: 1n, signature: sig })
    expect(Buffer.from(out.subarray(8, 40)).toString()).toBe("reservedreservedreservedreserved")
    const altered = out.slice()
    altered[8] = 0x52 // 'R'
    const decoded = decodeProverConfirm("ProverConfirm")(altered)
    expect(Either.isLeft(decoded) && decoded.left.kind).toBe("malformed")
    expect(DEPRECATED_FILTER.length).toBe(32)
  })

  test("confirm filters shorter than 32 bytes and absent signatures are malformed", () => {
    const short = encodeProverConfirm({ _tag: "ProverReject", filters: [new Uint8Array(31)], frameNumber: 1n, signature: sig })
    expect(Either.isLeft(decodeProverConfirm("ProverReject")(short))).toBe(true)
    const unsigned = new Uint8Array([0, 0, 3, 8, 0, 0, 0, 0, 0, 0, 0, 0])
    const decoded = decodeProverUpdate(unsigned)
    expect(Either.isLeft(decoded) && decoded.left.reason).toContain("absent")
  })

  test("decodeLifecycleOp dispatches on the prefix and refuses other types", () => {
    const pause = encodeProverPause({ _tag: "ProverResume", filter: new Uint8Array(32), frameNumber: 3n, signature: sig })
    const decoded = decodeLifecycleOp(pause)
    expect(Either.isRight(decoded) && decoded.right._tag).toBe("ProverResume")
    expect(Either.isRight(decoded) && Buffer.compare(encodeLifecycleOp(decoded.right), pause)).toBe(0)
    const other = decodeLifecycleOp(new Uint8Array([0, 0, 3, 7]))
    expect(Either.isLeft(other) && other.left.reason).toBe("not a prover lifecycle operation")
  })

  test("decodeLifecycleOp is total on arbitrary bytes and on every lifecycle prefix with garbage", () => {
    const prefixed = fc
      .tuple(fc.constantFrom(0x0301, 0x0302, 0x0303, 0x0304, 0x0305, 0x0306, 0x0308), bytes(300))
      .map(([p, rest]) => Uint8Array.of(0, 0, p >> 8, p & 0xff, ...rest))
    fc.assert(
      fc.property(fc.oneof(bytes(300), prefixed), (input) => {
        const out = decodeLifecycleOp(input)
        if (Either.isRight(out)) expect(Buffer.compare(encodeLifecycleOp(out.right), input)).toBe(0)
        else expect(out.left._tag).toBe("OpError")
      }),
      { numRuns: 300 },
    )
  })
})
