// A BLS verify Worker: runs pairing checks (tens of ms each, synchronous native calls) off the main
// event loop, one at a time, and answers with the native status code.
import { Either, Schema } from "effect"
import { nullIfEmpty as buf } from "../native.ts"
import { loadNativeBls } from "./native.ts"
import { VerifyWorkerRequest, VerifyWorkerResponse } from "./verify-protocol.ts"

declare const self: Worker

const decode = Schema.decodeUnknownEither(VerifyWorkerRequest)
const encode = Schema.encodeSync(VerifyWorkerResponse)

const answer = (req: VerifyWorkerRequest): VerifyWorkerResponse => {
  const opened = loadNativeBls()
  if ("unavailable" in opened) return { _tag: "Unavailable", id: req.id, reason: opened.unavailable }
  const lib = opened.lib
  const status =
    req._tag === "Verify"
      ? lib.quil_bls_verify(
          buf(req.publicKey),
          req.publicKey.length,
          buf(req.signature),
          req.signature.length,
          buf(req.domain),
          req.domain.length,
          buf(req.message),
          req.message.length,
        )
      : lib.quil_bls_verify_multi_message(
          buf(req.publicKeys),
          req.publicKeys.length,
          buf(req.signature),
          req.signature.length,
          buf(req.messages),
          req.messages.length,
          buf(req.domain),
          req.domain.length,
        )
  return { _tag: "Verified", id: req.id, status }
}

/** The request id of a message that did not decode, when it has one (so its caller is answered). */
const idOf = (data: unknown): number | undefined => {
  if (typeof data !== "object" || data === null || !("id" in data)) return undefined
  return Number.isInteger(data.id) ? Number(data.id) : undefined
}

self.onmessage = (event: MessageEvent) => {
  const decoded = decode(event.data)
  if (Either.isRight(decoded)) return self.postMessage(encode(answer(decoded.right)))
  const id = idOf(event.data)
  if (id !== undefined) self.postMessage(encode({ _tag: "Unavailable", id, reason: "malformed verify request" }))
}
