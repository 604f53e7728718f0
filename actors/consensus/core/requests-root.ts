// A frame header's requests_root (consensus.md §1.5 step 5, §1.6 step 7). The reference commits to a
// vector commitment tree keyed by SHA3-256 of each bundle; until that tree exists here quilbun commits
// with SHA-512 over the u32-length-prefixed bundles, in frame order (app D-APP-2, global D-GC-16). Empty
// frames carry 64 zero bytes, as in the reference. Shared by the app and the global chain.
import { sha512 } from "@noble/hashes/sha2.js"
import { CanonicalWriter } from "./canonical/writer.ts"

const REQUESTS_ROOT_BYTES = 64

export const requestsRoot = (requests: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (requests.length === 0) return new Uint8Array(REQUESTS_ROOT_BYTES)
  const w = new CanonicalWriter(requests.reduce((n, r) => n + 4 + r.length, 0))
  for (const r of requests) w.bytes(r)
  return sha512(w.finish())
}
