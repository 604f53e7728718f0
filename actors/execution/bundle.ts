// The unit the host applies (spec §1.5, §6.3; consensus.md §0): a routed bundle, i.e. the
// reference's canonical MessageBundle preceded by the 32-byte domain it was sent to (what the
// reference's `Send {domain, request}` and the app frame's address carry, §1.6). The bundle holds
// no separate fee field: its fees are the ones its fee-producing requests add to the FIFO queue
// (§6.3). Encoding:
//   domain(32) ‖ u32 0x0312 ‖ u32 count ‖ (u32 len ‖ request)* ‖ i64 timestamp
//   request = u32 0x0311 ‖ u32 len ‖ inner operation bytes
// Decoding is total (Either), like every canonical decoder.
import * as Either from "effect/Either"
import { CanonicalWriter, DOMAIN_LENGTH, MAX_FIELD_BYTES, malformed, type OpError } from "../../intrinsics/contract/index.ts"

const MESSAGE_REQUEST = 0x0311
const MESSAGE_BUNDLE = 0x0312
/** Upper bound on requests per bundle (a bundle is one client submission). */
const MAX_REQUESTS = 1024

export interface RoutedBundle {
  /** The routed address (§1.6): a global / base / fixed-instance domain, or a deployed instance. */
  readonly domain: Uint8Array
  /** Inner canonical operation bytes, in bundle order. */
  readonly requests: ReadonlyArray<Uint8Array>
  /** Client milliseconds; must be non-zero (`MessageBundle.Validate`). Not consensus state. */
  readonly timestamp: bigint
}

export const encodeBundle = (bundle: RoutedBundle): Uint8Array => {
  const w = new CanonicalWriter().fixed(bundle.domain).u32(MESSAGE_BUNDLE).u32(bundle.requests.length)
  for (const request of bundle.requests) {
    w.u32(request.length + 8)
      .u32(MESSAGE_REQUEST)
      .bytes(request)
  }
  return w.u64(BigInt.asUintN(64, bundle.timestamp)).finish()
}

// Imperative on purpose: this runs once per bundle on the hot path, and Either.gen costs more
// than the decoding itself.
export const decodeBundle = (bytes: Uint8Array): Either.Either<RoutedBundle, OpError> => {
  if (bytes.length < DOMAIN_LENGTH + 16) return Either.left(malformedBundle("too short"))
  const u32 = (at: number): number => readU32(bytes, at)
  let at = DOMAIN_LENGTH
  const prefix = u32(at)
  if (prefix !== MESSAGE_BUNDLE) return Either.left(malformedBundle(`prefix 0x${prefix.toString(16)} is not a MessageBundle`))
  const count = u32(at + 4)
  at += 8
  if (count > MAX_REQUESTS) return Either.left(malformedBundle(`${count} requests exceed ${MAX_REQUESTS}`))
  const requests: Array<Uint8Array> = []
  for (let i = 0; i < count; i++) {
    // u32 len ‖ u32 0x0311 ‖ u32 innerLen ‖ inner, with len = innerLen + 8
    if (at + 12 > bytes.length) return Either.left(malformedBundle(`request ${i} is truncated`))
    const framed = u32(at)
    const requestPrefix = u32(at + 4)
    const inner = u32(at + 8)
    if (requestPrefix !== MESSAGE_REQUEST) return Either.left(malformedBundle(`request ${i} prefix 0x${requestPrefix.toString(16)}`))
    // A nil request (length 0) fails the reference's Validate; refused here, as is an empty operation.
    if (inner === 0 || framed !== inner + 8 || inner > MAX_FIELD_BYTES) return Either.left(malformedBundle(`request ${i} has bad lengths`))
    if (at + 4 + framed > bytes.length) return Either.left(malformedBundle(`request ${i} is truncated`))
    requests.push(bytes.slice(at + 12, at + 12 + inner))
    at += 4 + framed
  }
  if (at + 8 !== bytes.length) return Either.left(malformedBundle(at + 8 > bytes.length ? "timestamp is truncated" : "trailing bytes"))
  const high = u32(at)
  const low = u32(at + 4)
  if (high === 0 && low === 0) return Either.left(malformedBundle("timestamp is zero"))
  // One BigInt rather than four when the i64 is a non-negative safe integer (client milliseconds are).
  const timestamp = high < 0x200000 ? BigInt(high * 0x1_0000_0000 + low) : BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low))
  return Either.right({ domain: bytes.slice(0, DOMAIN_LENGTH), requests, timestamp })
}

// Byte arithmetic rather than a DataView: `.buffer` of a fresh typed array makes the engine
// materialise an ArrayBuffer, which showed up as the top cost of decoding.
const readU32 = (bytes: Uint8Array, at: number): number =>
  (bytes[at] ?? 0) * 0x1000000 + ((bytes[at + 1] ?? 0) << 16) + ((bytes[at + 2] ?? 0) << 8) + (bytes[at + 3] ?? 0)

const malformedBundle = (reason: string): OpError => malformed(MESSAGE_BUNDLE, `bundle: ${reason}`)
