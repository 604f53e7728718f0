import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { AppFrameHeader, decodeAppFrameHeader, encodeAppFrameHeader } from "./app-frame-header.ts"
import { Bytes } from "./fields.ts"
import { checkMessageBundleBytes } from "./message-bundle-bytes.ts"

const AppShardFrameLimits = { header: 34_829, requests: 100, request: 74_000 } as const

/** `AppShardFrame = { header, repeated MessageBundle requests }` (consensus.md §1.2). */
export class AppShardFrame extends Schema.Class<AppShardFrame>("AppShardFrame")({
  header: AppFrameHeader,
  /** Canonical MessageBundle bytes, opaque to consensus. */
  requests: Schema.Array(Bytes),
}) {}

export const encodeAppShardFrame = (f: AppShardFrame): Uint8Array =>
  new CanonicalWriter(4_096).u32(TypePrefix.AppShardFrame).nested(encodeAppFrameHeader(f.header)).repeatedBytes(f.requests).finish()

export const decodeAppShardFrame = (input: Uint8Array): Either.Either<AppShardFrame, CanonicalDecodeError> =>
  decodeWhole(input, "AppShardFrame", (r) =>
    Either.gen(function* () {
      const L = AppShardFrameLimits
      yield* r.typePrefix(TypePrefix.AppShardFrame)
      const header = yield* decodeAppFrameHeader(yield* r.requiredNested("header", L.header))
      const count = yield* r.count("requests", L.requests, 4)
      const requests: Array<Uint8Array> = []
      for (let i = 0; i < count; i++) {
        const field = `requests[${i}]`
        requests.push(yield* checkMessageBundleBytes(`AppShardFrame.${field}`, yield* r.bytes(field, L.request)))
      }
      return new AppShardFrame({ header, requests }, true)
    }),
  )
