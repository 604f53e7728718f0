// The pubsub wire envelope: gossipsub carries one topic per message (the slice it travels on), so
// the message's full bitmask travels inside the data:
//
//   version (1 byte, 0x01) ‖ bitmask length (1 byte, 1..64) ‖ bitmask ‖ payload
//
// Decoding goes through Schema, like every message that crosses the network boundary.
import { ParseResult, Schema } from "effect"

const ENVELOPE_VERSION = 0x01
export const MAX_BITMASK_BYTES = 64

const BitmaskEnvelope = Schema.Struct({
  bitmask: Schema.Uint8ArrayFromSelf.pipe(
    Schema.filter((mask) => mask.length >= 1 && mask.length <= MAX_BITMASK_BYTES, {
      message: () => `bitmask must be 1..${MAX_BITMASK_BYTES} bytes`,
    }),
  ),
  payload: Schema.Uint8ArrayFromSelf,
})

/**
 * The envelope's bytes. The Schema below encodes with it; the publish hot path calls it directly for a
 * bitmask it has already checked (1..MAX_BITMASK_BYTES), skipping a validation pass over its own value.
 */
export const envelopeBytes = (bitmask: Uint8Array, payload: Uint8Array): Uint8Array => {
  const out = new Uint8Array(2 + bitmask.length + payload.length)
  out[0] = ENVELOPE_VERSION
  out[1] = bitmask.length
  out.set(bitmask, 2)
  out.set(payload, 2 + bitmask.length)
  return out
}

const BitmaskEnvelopeFromBytes = Schema.transformOrFail(Schema.Uint8ArrayFromSelf, BitmaskEnvelope, {
  strict: true,
  decode: (bytes, _options, ast) => {
    const version = bytes[0]
    const length = bytes[1]
    if (version !== ENVELOPE_VERSION) {
      return ParseResult.fail(new ParseResult.Type(ast, bytes, `unknown envelope version ${String(version)}`))
    }
    if (length === undefined || bytes.length < 2 + length) {
      return ParseResult.fail(new ParseResult.Type(ast, bytes, "truncated envelope"))
    }
    return ParseResult.succeed({ bitmask: bytes.subarray(2, 2 + length), payload: bytes.subarray(2 + length) })
  },
  encode: (envelope) => ParseResult.succeed(envelopeBytes(envelope.bitmask, envelope.payload)),
})

export const decodeEnvelope = Schema.decodeUnknownEither(BitmaskEnvelopeFromBytes)
export const encodeEnvelope = Schema.encodeEither(BitmaskEnvelopeFromBytes)
