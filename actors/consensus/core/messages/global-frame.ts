import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { Bytes } from "./fields.ts"
import { decodeGlobalFrameHeader, encodeGlobalFrameHeader, GlobalFrameHeader } from "./global-frame-header.ts"
import { checkMessageBundleBytes } from "./message-bundle-bytes.ts"

const GlobalFrameLimits = { header: 21_467, requests: 100, request: 75_000 } as const

/** `GlobalFrame = { header, repeated MessageBundle requests }` (consensus.md §1.1). */
export class GlobalFrame extends Schema.Class<GlobalFrame>("GlobalFrame")({
  header: GlobalFrameHeader,
  /** Canonical MessageBundle bytes, opaque to consensus. */
  requests: Schema.Array(Bytes),
}) {}

export const encodeGlobalFrame = (f: GlobalFrame): Uint8Array =>
  new CanonicalWriter(24_000).u32(TypePrefix.GlobalFrame).nested(encodeGlobalFrameHeader(f.header)).repeatedBytes(f.requests).finish()

export const decodeGlobalFrame = (input: Uint8Array): Either.Either<GlobalFrame, CanonicalDecodeError> =>
  decodeWhole(input, "GlobalFrame", (r) =>
    Either.gen(function* () {
      const L = GlobalFrameLimits
      yield* r.typePrefix(TypePrefix.GlobalFrame)
      // The reference decodes an absent header but every consumer then rejects it; we reject it here.
      const header = yield* decodeGlobalFrameHeader(yield* r.requiredNested("header", L.header))
      const count = yield* r.count("requests", L.requests, 4)
      const requests: Array<Uint8Array> = []
      for (let i = 0; i < count; i++) {
        const field = `requests[${i}]`
        requests.push(yield* checkMessageBundleBytes(`GlobalFrame.${field}`, yield* r.bytes(field, L.request)))
      }
      return new GlobalFrame({ header, requests }, true)
    }),
  )
