// The durable side of a shard's mempool: a bundle the worker acknowledged (202 pending to a client, or
// taken from a peer's gossip) is written here before the acknowledgement, and forgotten once a frame or
// a rejection decides it. A worker killed with bundles waiting reloads them when it covers the shard
// again, so "pending" survives a crash (the soak lost acknowledged bundles to worker kills before).
import { Schema } from "effect"
import { Buckets, defineRepository, KeyCodec, type StoreService, ValueCodec, type WriteTx } from "../../../runtime/store/index.ts"
import { bundleStatusRows } from "../../execution/bundle-status.ts"
import type { PendingBundle } from "./mempool.ts"

const PendingRow = Schema.Struct({ arrivedAtFrame: Schema.BigInt, routed: Schema.Uint8ArrayFromSelf })

/** Keyed by shard address ‖ bundle id. */
export const pendingBundleRows = defineRepository({
  bucket: Buckets.pendingBundles,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(32), KeyCodec.fixedBytes(32)),
  value: ValueCodec.schema(PendingRow),
})

export const rememberPending = (tx: WriteTx, store: StoreService, shard: Uint8Array, bundle: PendingBundle): void =>
  store.repository(pendingBundleRows).put(tx, [shard, bundle.id], { arrivedAtFrame: bundle.arrivedAtFrame, routed: bundle.routed })

export const forgetPending = (tx: WriteTx, store: StoreService, shard: Uint8Array, ids: ReadonlyArray<Uint8Array>): void => {
  const rows = store.repository(pendingBundleRows)
  for (const id of ids) rows.delete(tx, [shard, id])
}

/**
 * The shard's pending bundles by arrival frame (then by id), and the ids of rows a frame
 * decided meanwhile (a crash between the decision and the row's deletion), which the caller forgets.
 */
export const loadPending = (store: StoreService, shard: Uint8Array): { readonly waiting: Array<PendingBundle>; readonly decided: Array<Uint8Array> } => {
  const statuses = store.repository(bundleStatusRows)
  const waiting: Array<PendingBundle> = []
  const decided: Array<Uint8Array> = []
  for (const { key, value } of store.repository(pendingBundleRows).range({ prefix: pendingBundleRows.key.prefix(shard) })) {
    const id = key[1]
    if (statuses.get(id) !== undefined) decided.push(id)
    else waiting.push({ id, routed: value.routed, arrivedAtFrame: value.arrivedAtFrame })
  }
  waiting.sort((a, b) => (a.arrivedAtFrame < b.arrivedAtFrame ? -1 : a.arrivedAtFrame > b.arrivedAtFrame ? 1 : 0))
  return { waiting, decided }
}
