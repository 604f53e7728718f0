// The one rule for numbers in admin API paths (worker cores, frame numbers): plain decimal digits,
// no sign, no leading zeros, no fraction or exponent. `01`, `1.0`, `+1` and `1e0` all name "1" to
// Number(), so accepting them in one route and not in another made the API disagree with itself.
import { Schema } from "effect"

const DECIMAL = /^(0|[1-9][0-9]*)$/

/** A decimal number in canonical form, as a bigint (range checks are the caller's filter). */
const CanonicalDecimal = Schema.String.pipe(
  Schema.pattern(DECIMAL, { message: () => "expected a decimal number without sign or leading zeros" }),
  Schema.transform(Schema.BigIntFromSelf, { strict: true, decode: (s) => BigInt(s), encode: (n) => n.toString() }),
)

/** A u64 frame number. */
export const FramePath = CanonicalDecimal.pipe(Schema.filter((n) => n < 1n << 64n, { message: () => "frame number exceeds u64" }))

/** A data worker's core: 1..1024 (workers are 1..config.workers; the master is core 0). */
export const CorePath = CanonicalDecimal.pipe(
  Schema.filter((n) => n >= 1n && n <= 1024n, { message: () => "expected a worker core between 1 and 1024" }),
  Schema.transform(Schema.Number, { strict: true, decode: (n) => Number(n), encode: (n) => BigInt(n) }),
)
