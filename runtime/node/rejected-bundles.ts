// Bundles the master itself rejected (no data worker covers their shard): no worker ever saw them, so
// `GET /v1/bundles/{id}` would call them unknown. A small bounded in-memory index, oldest out first;
// it does not survive a restart (the bundle was never anywhere durable, the client may resubmit).
import { bytesToHex } from "@noble/hashes/utils.js"

interface RejectedBundle {
  readonly shard: Uint8Array
  readonly reason: string
}

export interface RejectedBundles {
  readonly remember: (id: Uint8Array, rejected: RejectedBundle) => void
  readonly get: (id: Uint8Array) => RejectedBundle | undefined
}

export const makeRejectedBundles = (capacity: number): RejectedBundles => {
  // A Map iterates in insertion order: the first key is the oldest.
  const byId = new Map<string, RejectedBundle>()
  return {
    remember: (id, rejected) => {
      const key = bytesToHex(id)
      byId.delete(key)
      byId.set(key, rejected)
      while (byId.size > capacity) {
        const oldest = byId.keys().next()
        if (oldest.done === true) break
        byId.delete(oldest.value)
      }
    },
    get: (id) => byId.get(bytesToHex(id)),
  }
}
