// What each executed frame decided for its bundles (issue: app shards, `GET /v1/bundles/{id}`): per
// bundle id (SHA3-256 of the MessageBundle), committed or rejected, the frame, and the reason. Written in
// the frame's own execution transaction (ApplyFrame `decisions`), so a crash never leaves a frame applied
// without its decisions; built from finalized frames on every covering node, so any node answers.
import { sha3_256 } from "@noble/hashes/sha3.js"
import { Schema } from "effect"
import { Buckets, defineRepository, KeyCodec, type Repository, ValueCodec, type WriteTx } from "../../runtime/store/index.ts"

const BundleDecision = Schema.Struct({
  status: Schema.Literal("committed", "rejected"),
  shard: Schema.Uint8ArrayFromSelf,
  frameNumber: Schema.BigInt,
  reason: Schema.NullOr(Schema.String),
})

export const bundleStatusRows = defineRepository({ bucket: Buckets.bundleStatus, key: KeyCodec.fixedBytes(32), value: ValueCodec.schema(BundleDecision) })

/** A bundle's id: SHA3-256 of its canonical MessageBundle bytes. */
export const bundleId = (bundle: Uint8Array): Uint8Array => sha3_256(bundle)

interface FrameResult {
  readonly _tag: "Applied" | "Failed"
  readonly reason?: string
  readonly request?: number | null
  readonly detail?: string
}

/** One row per bundle id: committed, or rejected with the failure (reason, request, detail). */
export const writeDecisions = (
  tx: WriteTx,
  rows: Repository<Uint8Array, typeof BundleDecision.Type>,
  decisions: { readonly shard: Uint8Array; readonly ids: ReadonlyArray<Uint8Array> },
  frameNumber: bigint,
  results: ReadonlyArray<FrameResult>,
): void => {
  decisions.ids.forEach((id, i) => {
    const r = results[i]
    const failed = r === undefined || r._tag === "Failed"
    const reason =
      r === undefined ? "not executed" : `${r.reason}${r.request === null || r.request === undefined ? "" : ` at request ${r.request}`}: ${r.detail}`
    rows.put(tx, id, { status: failed ? "rejected" : "committed", shard: decisions.shard, frameNumber, reason: failed ? reason : null })
  })
}
