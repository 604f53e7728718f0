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

/**
 * For each bundle of a frame about to be applied, why it must not be applied again (undefined: it may
 * be): a decision from an earlier frame still on the chain, or the same id earlier in this frame. A
 * bundle is decided once: a leader that proposes it again (its mempool still held it while it lagged,
 * or a client resubmitted it) must not apply it twice — and every node skips it alike, since all hold
 * the same decisions for the same finalized frames. A reverted frame's decisions are deleted with it
 * (`forgetDecisionsAbove`), so they do not count.
 */
export const earlierDecisions = (
  rows: Repository<Uint8Array, typeof BundleDecision.Type>,
  ids: ReadonlyArray<Uint8Array>,
  frameNumber: bigint,
): Array<string | undefined> => {
  const seen = new Set<string>()
  return ids.map((id) => {
    const key = Buffer.from(id).toString("hex")
    if (seen.has(key)) return "the same bundle earlier in this frame"
    seen.add(key)
    const prior = rows.get(id)
    return prior !== undefined && prior.frameNumber < frameNumber ? `already ${prior.status} at frame ${prior.frameNumber}` : undefined
  })
}

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

/** Deletes the decisions of frames above `toFrame` (a revert's, in its transaction); a scan, as reverts are rare. */
export const forgetDecisionsAbove = (tx: WriteTx, rows: Repository<Uint8Array, typeof BundleDecision.Type>, toFrame: bigint): void => {
  for (const { key, value } of rows.range()) if (value.frameNumber > toFrame) rows.delete(tx, key)
}
