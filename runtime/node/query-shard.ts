// Which shard an intrinsic query is about: the admin API runs it on the worker covering that shard, and
// the in-process testnet (runtime/testing) picks its worker by the same rule.

/**
 * The app address a query is about, when its arguments name one: an atom `id` (the first 32 of its 64
 * bytes) or an `address` / `domain` (the first 32 bytes). Queries run on the worker covering that shard,
 * which holds its state (one shard per worker); queries that name none go to the first running worker.
 */
export const queryShard = (args: unknown): Uint8Array | undefined => {
  if (typeof args !== "object" || args === null) return undefined
  const fields = args as Record<string, unknown>
  for (const key of ["id", "address", "domain"]) {
    const value = fields[key]
    if (typeof value !== "string") continue
    const hex = value.startsWith("0x") ? value.slice(2) : value
    if (hex.length >= 64 && /^[0-9a-fA-F]+$/.test(hex.slice(0, 64))) return Buffer.from(hex.slice(0, 64), "hex")
  }
  return undefined
}
