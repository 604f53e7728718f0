// The unit the host applies (spec §1.5, §6.3; consensus.md §0): a routed bundle, i.e. the
// reference's canonical MessageBundle preceded by the 32-byte domain it was sent to (what the
// reference's `Send {domain, request}` and the app frame's address carry, §1.6). The bundle holds
// no separate fee field: its fees are the ones its fee-producing requests add to the FIFO queue
// (§6.3). Encoding:
//   domain(32) ‖ u32 0x0312 ‖ u32 count ‖ (u32 len ‖ request)* ‖ i64 timestamp
//   request = u32 0x0311 ‖ u32 len ‖ inner operation bytes
// Decoding is total (Either), like every canonical decoder.
import * as Either from "effect/Either"
import { CanonicalWriter, DOMAIN_LENGTH, MAX_FIELD_BYTES, malformed, OpError } from "../../intrinsics/contract/index.ts"

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

export const decodeBundle = (bytes: Uint8Array): Either.Either<RoutedBundle, OpError> => {
  const decoded = readBundle(bytes)
  return decoded instanceof OpError ? Either.left(decoded) : Either.right(decoded)
}

/**
 * `decodeBundle` for the host's hot path: the failure is the OpError itself, not wrapped.
 * Imperative on purpose: this runs once per bundle, and Either.gen costs more than the decoding.
 */
export const readBundle = (bytes: Uint8Array): RoutedBundle | OpError => {
  if (bytes.length < DOMAIN_LENGTH + 16) return malformedBundle("too short")
  let at = DOMAIN_LENGTH
  const prefix = readU32(bytes, at)
  if (prefix !== MESSAGE_BUNDLE) return malformedBundle(`prefix 0x${prefix.toString(16)} is not a MessageBundle`)
  const count = readU32(bytes, at + 4)
  at += 8
  if (count > MAX_REQUESTS) return malformedBundle(`${count} requests exceed ${MAX_REQUESTS}`)
  const requests: Array<Uint8Array> = []
  for (let i = 0; i < count; i++) {
    // u32 len ‖ u32 0x0311 ‖ u32 innerLen ‖ inner, with len = innerLen + 8
    if (at + 12 > bytes.length) return malformedBundle(`request ${i} is truncated`)
    const framed = readU32(bytes, at)
    const requestPrefix = readU32(bytes, at + 4)
    const inner = readU32(bytes, at + 8)
    if (requestPrefix !== MESSAGE_REQUEST) return malformedBundle(`request ${i} prefix 0x${requestPrefix.toString(16)}`)
    // A nil request (length 0) fails the reference's Validate; refused here, as is an empty operation.
    if (inner === 0 || framed !== inner + 8 || inner > MAX_FIELD_BYTES) return malformedBundle(`request ${i} has bad lengths`)
    if (at + 4 + framed > bytes.length) return malformedBundle(`request ${i} is truncated`)
    requests.push(bytes.slice(at + 12, at + 12 + inner))
    at += 4 + framed
  }
  if (at + 8 !== bytes.length) return malformedBundle(at + 8 > bytes.length ? "timestamp is truncated" : "trailing bytes")
  const high = readU32(bytes, at)
  const low = readU32(bytes, at + 4)
  if (high === 0 && low === 0) return malformedBundle("timestamp is zero")
  // One BigInt rather than four when the i64 is a non-negative safe integer (client milliseconds are).
  const timestamp = high < 0x200000 ? BigInt(high * 0x1_0000_0000 + low) : BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low))
  return { domain: bytes.slice(0, DOMAIN_LENGTH), requests, timestamp }
}

// Byte arithmetic rather than a DataView: `.buffer` of a fresh typed array makes the engine
// materialise an ArrayBuffer, which showed up as the top cost of decoding.
const readU32 = (bytes: Uint8Array, at: number): number =>
  (bytes[at] ?? 0) * 0x1000000 + ((bytes[at + 1] ?? 0) << 16) + ((bytes[at + 2] ?? 0) << 8) + (bytes[at + 3] ?? 0)

const malformedBundle = (reason: string): OpError => malformed(MESSAGE_BUNDLE, `bundle: ${reason}`)
