// Lifecycle requests in global frames (D-GC-19): the MessageBundle wrapping, the frame shape every validator
// checks (shard updates first, then lifecycle requests whose operations decode), and what the registry reads.
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import {
  encodeLifecycleRequest,
  isProposableLifecycle,
  lifecycleOpsOf,
  lifecycleStart,
  MAX_LIFECYCLE_REQUESTS,
  validateLifecycleRequests,
} from "../../../../../actors/consensus/global/lifecycle-requests.ts"
import { encodeLifecycleOp, type ProverLeave } from "../../../../../intrinsics/global/index.ts"
import { checkMessageBundleBytes } from "../../../../../actors/consensus/core/messages/message-bundle-bytes.ts"

const leave: ProverLeave = {
  _tag: "ProverLeave",
  filters: [new Uint8Array()],
  frameNumber: 7n,
  signature: { signature: new Uint8Array(74).fill(1), address: new Uint8Array(32).fill(2) },
}
const op = encodeLifecycleOp(leave)
const request = encodeLifecycleRequest(op, 1_765_000_000_000n)

const failure = (requests: ReadonlyArray<Uint8Array>) => Effect.runSync(Effect.either(validateLifecycleRequests(requests)))

describe("lifecycle requests", () => {
  test("a request is a MessageBundle (what GlobalFrame decodes) holding the operation, which the registry reads back", () => {
    expect(Either.isRight(checkMessageBundleBytes("r", request))).toBe(true)
    expect(lifecycleOpsOf([request]).map((b) => Buffer.from(b).toString("hex"))).toEqual([Buffer.from(op).toString("hex")])
    expect(isProposableLifecycle(request)).toBe(true)
  })

  test("a frame of lifecycle requests validates; one whose operation does not decode is refused with its index", () => {
    expect(Either.isRight(failure([request, request]))).toBe(true)
    const broken = encodeLifecycleRequest(op.subarray(0, op.length - 1), 1n)
    expect(isProposableLifecycle(broken)).toBe(false)
    const out = failure([request, broken])
    expect(Either.isLeft(out) && out.left.index).toBe(1)
    expect(Either.isLeft(out) && out.left.reason).toBe("undecodable")
  })

  test("shard updates come first: anything else after a lifecycle request is refused", () => {
    const other = encodeLifecycleRequest(new Uint8Array([0, 0, 0x05, 0x09, 1, 2, 3]), 1n) // a token op, not a lifecycle one
    expect(lifecycleStart([other, request])).toBe(1)
    const out = failure([request, other])
    expect(Either.isLeft(out) && out.left.index).toBe(1)
    expect(Either.isLeft(out) && out.left.detail).toContain("not a lifecycle request")
  })

  test(`at most ${MAX_LIFECYCLE_REQUESTS} lifecycle requests per frame`, () => {
    const many = Array.from({ length: MAX_LIFECYCLE_REQUESTS + 1 }, () => request)
    const out = failure(many)
    expect(Either.isLeft(out) && out.left.index).toBe(MAX_LIFECYCLE_REQUESTS)
    expect(Either.isRight(failure(many.slice(1)))).toBe(true)
  })

  test("bundles of other operations, or of more than one request, are not lifecycle requests", () => {
    const token = encodeLifecycleRequest(new Uint8Array([0, 0, 0x05, 0x09, 1, 2, 3]), 1n)
    expect(lifecycleOpsOf([token, request]).length).toBe(1)
    const twoRequests = request.slice()
    twoRequests[7] = 2 // the request count
    expect(lifecycleOpsOf([twoRequests])).toEqual([])
  })
})
