// Value codecs: CBOR (cbor-x, `useRecords: false` so any CBOR reader can read the bytes), CBOR
// through an Effect Schema (typed, validated on read), or raw bytes.
import "./cbor-native-off.ts"
import { Encoder } from "cbor-x"
import { Schema } from "effect"

export interface ValueCodec<V> {
  readonly encode: (value: V) => Uint8Array
  /** `bytes` is owned by the caller (a fresh copy); codecs may keep views into it. */
  readonly decode: (bytes: Uint8Array) => V
}

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true })

/** Plain CBOR; the type is trusted, not checked (use `schema` for values read from elsewhere). */
const cbor = <V>(): ValueCodec<V> => ({
  encode: (v) => encoder.encode(v),
  decode: (b) => encoder.decode(b) as V,
})

/** CBOR of the schema's encoded form; decoding validates and throws a ParseError on mismatch. */
const schema = <A, I>(s: Schema.Schema<A, I, never>): ValueCodec<A> => {
  const enc = Schema.encodeSync(s)
  const dec = Schema.decodeUnknownSync(s)
  return {
    encode: (v) => encoder.encode(enc(v)),
    decode: (b) => dec(encoder.decode(b)),
  }
}

const raw: ValueCodec<Uint8Array> = { encode: (v) => v, decode: (b) => b }

export const ValueCodec = { cbor, schema, raw } as const
