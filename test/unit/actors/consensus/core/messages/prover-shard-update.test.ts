// ProverShardUpdate canonical bytes (execution.md §1: MessageBundle ‖ MessageRequest ‖ FrameHeader 0x030A):
// the exact layout, a round trip, every truncation and trailing junk rejected, and bundles that are
// not exactly one shard header refused.
import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import { CanonicalWriter } from "../../../../../../actors/consensus/core/canonical/writer.ts"
import { encodeAppFrameHeader } from "../../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { decodeProverShardUpdate, encodeProverShardUpdate } from "../../../../../../actors/consensus/core/messages/prover-shard-update.ts"
import { certify, unsignedShardHeader } from "../support/certified-shard-header.ts"
import { makeCommittee } from "../support/devnet-crypto.ts"

const { provers } = makeCommittee(4)
const ADDRESS = new Uint8Array(32).fill(0x5a)
const { header } = certify(unsignedShardHeader(ADDRESS, 9n, provers[0]?.address ?? new Uint8Array(32)), provers, [0, 1, 2])
const bytes = encodeProverShardUpdate(header)
const tagOf = (input: Uint8Array) => Either.match(decodeProverShardUpdate(input), { onLeft: (e) => e._tag, onRight: () => "ok" })

describe("ProverShardUpdate codec", () => {
  test("bytes are MessageBundle{[MessageRequest{shard: header}], timestamp: header.timestamp}", () => {
    const headerBytes = encodeAppFrameHeader(header)
    const request = new CanonicalWriter().u32(0x0311).bytes(headerBytes).finish()
    const expected = new CanonicalWriter().u32(0x0312).u32(1).bytes(request).i64(header.timestamp).finish()
    expect(bytes).toEqual(expected)
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    expect(view.getUint32(0)).toBe(0x0312)
    expect(view.getUint32(12)).toBe(0x0311)
    expect(view.getUint32(20)).toBe(0x030a)
  })

  test("round trip: the same header and the header's timestamp", () => {
    const decoded = decodeProverShardUpdate(bytes)
    expect(Either.isRight(decoded)).toBe(true)
    if (Either.isLeft(decoded)) return
    expect(decoded.right.timestamp).toBe(header.timestamp)
    expect(encodeAppFrameHeader(decoded.right.header)).toEqual(encodeAppFrameHeader(header))
    expect(decoded.right.header.publicKeySignatureBls48581?.bitmask).toEqual(header.publicKeySignatureBls48581?.bitmask)
  })

  test("every truncation is rejected, and so are trailing bytes", () => {
    for (let cut = 0; cut < bytes.length; cut++) expect(Either.isLeft(decodeProverShardUpdate(bytes.subarray(0, cut)))).toBe(true)
    const extended = new Uint8Array(bytes.length + 1)
    extended.set(bytes)
    expect(tagOf(extended)).toBe("CanonicalTrailingBytes")
  })

  test("not exactly one FrameHeader request: refused", () => {
    const headerBytes = encodeAppFrameHeader(header)
    const request = new CanonicalWriter().u32(0x0311).bytes(headerBytes).finish()
    const two = new CanonicalWriter().u32(0x0312).u32(2).bytes(request).bytes(request).i64(header.timestamp).finish()
    expect(tagOf(two)).toBe("CanonicalLengthOverLimit")
    const none = new CanonicalWriter().u32(0x0312).u32(0).i64(header.timestamp).finish()
    expect(tagOf(none)).toBe("CanonicalBadLength")
    // Another operation in the request (a VertexAdd prefix where the FrameHeader should be).
    const otherOp = new CanonicalWriter().u32(0x0311).bytes(new CanonicalWriter().u32(0x0404).u32(0).finish()).finish()
    expect(tagOf(new CanonicalWriter().u32(0x0312).u32(1).bytes(otherOp).i64(1n).finish())).toBe("CanonicalBadTypePrefix")
    // Not a bundle at all: the header alone.
    expect(tagOf(headerBytes)).toBe("CanonicalBadTypePrefix")
  })
})
