// The MessageBundle a client submits (spec §0): `u32 0x0312 ‖ u32 count ‖ (u32 len ‖ request)* ‖
// i64 timestamp`, each request `u32 0x0311 ‖ u32 len ‖ operation bytes`. In the contract so every
// intrinsic's CLI, HTTP client and test builds it the same way. A deploy or write also needs a
// fee-producing QUIL transfer in the same bundle (spec §6.3); that joins once the token intrinsic has
// builders (README "Not yet supported").
import { CanonicalWriter } from "./canonical.ts"

const MESSAGE_REQUEST = 0x0311
const MESSAGE_BUNDLE = 0x0312

/** The bundle of `operations` in order; the timestamp (ms) must not be zero (MessageBundle.Validate). */
export const encodeMessageBundle = (operations: ReadonlyArray<Uint8Array>, timestampMs: bigint): Uint8Array => {
  // MessageBundle.Validate requires a non-zero timestamp.
  if (timestampMs === 0n) throw new RangeError("a bundle's timestamp is not zero")
  const w = new CanonicalWriter().u32(MESSAGE_BUNDLE).u32(operations.length)
  for (const op of operations) w.bytes(new CanonicalWriter().u32(MESSAGE_REQUEST).bytes(op).finish())
  const ts = new Uint8Array(8)
  new DataView(ts.buffer).setBigInt64(0, timestampMs)
  return w.fixed(ts).finish()
}
