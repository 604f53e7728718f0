// `ProverShardUpdate`: a certified app-shard header carried by a global frame (consensus.md §4.5,
// execution.md §1 and §5.1). The master wraps the header the way the reference's worker submits it,
// `MessageBundle{[MessageRequest{shard: header}], timestamp: header.timestamp}`, so the global frame's
// request is canonical MessageBundle bytes:
//   u32 0x0312 ‖ u32 1 ‖ u32 len ‖ (u32 0x0311 ‖ u32 len ‖ FrameHeader 0x030A) ‖ i64 timestamp
import { Either } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { type AppFrameHeader, decodeAppFrameHeader, encodeAppFrameHeader } from "./app-frame-header.ts"

/** The FrameHeader decoder's own bound (34_829 with its prefix and lengths, as AppShardFrame allows). */
const HEADER_LIMIT = 34_829
/** MessageRequest = prefix ‖ length ‖ header. */
const REQUEST_LIMIT = HEADER_LIMIT + 8

const encodeShardRequest = (header: AppFrameHeader): Uint8Array =>
  new CanonicalWriter(2_048).u32(TypePrefix.MessageRequest).bytes(encodeAppFrameHeader(header)).finish()

/** The global frame request for one certified shard header (the bundle's timestamp is the header's). */
export const encodeProverShardUpdate = (header: AppFrameHeader): Uint8Array =>
  new CanonicalWriter(2_048).u32(TypePrefix.MessageBundle).u32(1).bytes(encodeShardRequest(header)).i64(header.timestamp).finish()

const decodeShardRequest = (input: Uint8Array): Either.Either<AppFrameHeader, CanonicalDecodeError> =>
  decodeWhole(input, "MessageRequest", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.MessageRequest)
      // The oneof's tag is the inner type prefix: only `shard` (a FrameHeader) is a ProverShardUpdate.
      return yield* decodeAppFrameHeader(yield* r.requiredNested("shard", HEADER_LIMIT))
    }),
  )

export interface ProverShardUpdate {
  readonly header: AppFrameHeader
  /** The bundle's timestamp; the validator requires the header's (what `encodeProverShardUpdate` writes). */
  readonly timestamp: bigint
}

/**
 * A MessageBundle holding exactly one MessageRequest whose operation is a FrameHeader. Anything else —
 * other operations, several requests — is not a ProverShardUpdate as quilbun produces it, and is
 * refused here rather than half-understood.
 */
export const decodeProverShardUpdate = (input: Uint8Array): Either.Either<ProverShardUpdate, CanonicalDecodeError> =>
  decodeWhole(input, "ProverShardUpdate", (r) =>
    Either.gen(function* () {
      yield* r.typePrefix(TypePrefix.MessageBundle)
      yield* r.exactCount("requests", 1, 4)
      const header = yield* decodeShardRequest(yield* r.requiredNested("requests[0]", REQUEST_LIMIT))
      const timestamp = yield* r.i64("timestamp")
      return { header, timestamp }
    }),
  )
