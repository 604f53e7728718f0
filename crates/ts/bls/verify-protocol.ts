// Messages between the BLS verify pool and its Workers (a thread boundary, so Schema-checked).
// Lists travel packed exactly as the native call takes them (keys n × 585, messages length-prefixed).
import { Schema } from "effect"

const VerifyRequest = Schema.TaggedStruct("Verify", {
  id: Schema.Int,
  publicKey: Schema.Uint8ArrayFromSelf,
  signature: Schema.Uint8ArrayFromSelf,
  domain: Schema.Uint8ArrayFromSelf,
  message: Schema.Uint8ArrayFromSelf,
})

const VerifyMultiMessageRequest = Schema.TaggedStruct("VerifyMultiMessage", {
  id: Schema.Int,
  publicKeys: Schema.Uint8ArrayFromSelf,
  signature: Schema.Uint8ArrayFromSelf,
  messages: Schema.Uint8ArrayFromSelf,
  domain: Schema.Uint8ArrayFromSelf,
})

export const VerifyWorkerRequest = Schema.Union(VerifyRequest, VerifyMultiMessageRequest)
export type VerifyWorkerRequest = typeof VerifyWorkerRequest.Type

/** The native status code of the call (crates/ts/status.ts), or why the Worker could not make it. */
export const VerifyWorkerResponse = Schema.Union(
  Schema.TaggedStruct("Verified", { id: Schema.Int, status: Schema.Int }),
  Schema.TaggedStruct("Unavailable", { id: Schema.Int, reason: Schema.String }),
)
export type VerifyWorkerResponse = typeof VerifyWorkerResponse.Type
