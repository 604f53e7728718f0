// What each finalized frame decided for its bundles (issue: app shards, `GET /v1/bundles/{id}`): per
// bundle id (SHA3-256 of the MessageBundle), committed or rejected, the frame, and the reason. Built from
// finalized frames on every covering node, so any node answers, not only the one that received it.
import { sha3_256 } from "@noble/hashes/sha3.js"
import { Schema } from "effect"
import { Buckets, defineRepository, KeyCodec, ValueCodec } from "../../../runtime/store/index.ts"

const BundleDecision = Schema.Struct({
  status: Schema.Literal("committed", "rejected"),
  shard: Schema.Uint8ArrayFromSelf,
  frameNumber: Schema.BigInt,
  reason: Schema.NullOr(Schema.String),
})

export const bundleStatusRows = defineRepository({ bucket: Buckets.bundleStatus, key: KeyCodec.fixedBytes(32), value: ValueCodec.schema(BundleDecision) })

/** A bundle's id: SHA3-256 of its canonical MessageBundle bytes. */
export const bundleId = (bundle: Uint8Array): Uint8Array => sha3_256(bundle)
