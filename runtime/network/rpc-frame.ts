// Request/response wire format of the libp2p transport. One stream per request: the client writes
// one length-prefixed request and the server answers with one length-prefixed response,
// `status ‖ body`. Status 0 is success (body = the handler's bytes); any other status is a refusal or
// failure and the body is a short UTF-8 detail. Typed errors on both ends come from these codes.
import { Either } from "effect"

export const ResponseStatus = {
  ok: 0,
  noHandler: 1,
  requestTooLarge: 2,
  rateLimited: 3,
  badRequest: 4,
  timeout: 5,
  handlerError: 6,
  responseTooLarge: 7,
} as const
export type ResponseStatus = (typeof ResponseStatus)[keyof typeof ResponseStatus]

/** Error details are truncated to this many bytes: they are for logs, not for data. */
export const MAX_ERROR_DETAIL_BYTES = 256

export type DecodedResponse =
  | { readonly _tag: "Ok"; readonly body: Uint8Array }
  | { readonly _tag: "Refused"; readonly status: Exclude<ResponseStatus, 0>; readonly detail: string }

const knownStatuses = new Set<number>(Object.values(ResponseStatus))
const isRefusal = (status: number): status is Exclude<ResponseStatus, 0> => status !== 0 && knownStatuses.has(status)

export const encodeOkResponse = (body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(1 + body.length)
  out[0] = ResponseStatus.ok
  out.set(body, 1)
  return out
}

export const encodeErrorResponse = (status: Exclude<ResponseStatus, 0>, detail: string): Uint8Array => {
  const text = new TextEncoder().encode(detail).subarray(0, MAX_ERROR_DETAIL_BYTES)
  const out = new Uint8Array(1 + text.length)
  out[0] = status
  out.set(text, 1)
  return out
}

export const decodeResponse = (frame: Uint8Array): Either.Either<DecodedResponse, string> => {
  const status = frame[0]
  if (status === undefined) return Either.left("empty response frame")
  const body = frame.subarray(1)
  if (status === ResponseStatus.ok) return Either.right({ _tag: "Ok", body })
  if (!isRefusal(status)) return Either.left(`unknown response status ${status}`)
  if (body.length > MAX_ERROR_DETAIL_BYTES) return Either.left(`error detail of ${body.length} bytes`)
  return Either.right({ _tag: "Refused", status, detail: new TextDecoder("utf-8", { fatal: false }).decode(body) })
}
