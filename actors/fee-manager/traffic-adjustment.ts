// The proposer's fee vote (consensus.md §6 `adjustFeeForTraffic`): the shard's multiplier moved by at
// most ±10 % towards the 10 s frame target — frames coming faster than the target mean spare capacity
// (cheaper), slower mean congestion (dearer). Integer arithmetic as the reference, so every node that
// reproduces a vote gets the same number.
const TARGET_INTERVAL_MS = 10_000n
const MAX_PERCENT = 10n

/** `dt` is the timestamp gap between the last two committed frames; undefined before frame 2. */
export const adjustFeeForTraffic = (base: bigint, dtMs: bigint | undefined): bigint => {
  if (dtMs === undefined || dtMs === TARGET_INTERVAL_MS) return base
  if (dtMs < TARGET_INTERVAL_MS) {
    const pct = min(MAX_PERCENT, ((TARGET_INTERVAL_MS - dtMs) * 100n) / TARGET_INTERVAL_MS)
    const fee = base - (base * pct) / 100n
    return fee < 1n ? 1n : fee
  }
  const pct = min(MAX_PERCENT, ((dtMs - TARGET_INTERVAL_MS) * 100n) / TARGET_INTERVAL_MS)
  return base + (base * pct) / 100n
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)
