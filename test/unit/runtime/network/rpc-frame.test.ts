import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import { decodeResponse, encodeErrorResponse, encodeOkResponse, MAX_ERROR_DETAIL_BYTES, ResponseStatus } from "../../../../runtime/network/rpc-frame.ts"

describe("request/response frames", () => {
  test("ok frames carry the body unchanged, including an empty one", () => {
    for (const body of [new Uint8Array(0), Uint8Array.of(0, 1, 255)]) {
      const decoded = decodeResponse(encodeOkResponse(body))
      expect(Either.isRight(decoded) && decoded.right._tag === "Ok" && [...decoded.right.body]).toEqual([...body])
    }
  })

  test("refusals carry their status and a truncated detail", () => {
    const decoded = decodeResponse(encodeErrorResponse(ResponseStatus.rateLimited, "x".repeat(1000)))
    expect(Either.isRight(decoded) && decoded.right._tag === "Refused" && decoded.right.status).toBe(ResponseStatus.rateLimited)
    expect(Either.isRight(decoded) && decoded.right._tag === "Refused" && decoded.right.detail.length).toBe(MAX_ERROR_DETAIL_BYTES)
  })

  test("empty frames, unknown statuses and oversized details are malformed", () => {
    expect(Either.isLeft(decodeResponse(new Uint8Array(0)))).toBe(true)
    expect(Either.isLeft(decodeResponse(Uint8Array.of(200, 1)))).toBe(true)
    const long = new Uint8Array(2 + MAX_ERROR_DETAIL_BYTES)
    long[0] = ResponseStatus.badRequest
    expect(Either.isLeft(decodeResponse(long))).toBe(true)
  })
})
