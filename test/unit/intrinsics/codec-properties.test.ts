// Property tests of the execution-side canonical codecs the hypergraph codec tests do not cover: the routed
// MessageBundle, the overlay's change list (frame records), stored hypergraph records and hyperedges, and
// the kv plugin's four operations. Same properties as the consensus codecs (test/unit/support).
import * as Either from "effect/Either"
import fc from "fast-check"
import { decodeBundle, encodeBundle } from "../../../actors/execution/bundle.ts"
import { decodeFrameRecord, encodeFrameRecord } from "../../../actors/execution/frame-records.ts"
import { type Change, encodeChanges, readChanges } from "../../../actors/execution/overlay/index.ts"
import { CanonicalReader, type TypedOperation } from "../../../intrinsics/contract/index.ts"
import { compareBytes, decodeEntries, encodeEntries } from "../../../intrinsics/hypergraph/entries.ts"
import { canonicalMembers, decodeHyperedge, encodeHyperedge } from "../../../intrinsics/hypergraph/hyperedge.ts"
import { type KvOp, kvDel, kvExpire, kvIncrBy, kvSet } from "../../../plugins/kv/kv.ts"
import { codecProperties } from "../support/codec-properties.ts"

const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength })
const id = bytes(64, 64)

codecProperties(
  "routed MessageBundle",
  fc.record({
    domain: bytes(32, 32),
    requests: fc.array(bytes(40, 1), { maxLength: 4 }),
    // Non-zero (MessageBundle.Validate); the wire i64 is decoded signed.
    timestamp: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).filter((t) => t !== 0n),
  }),
  encodeBundle,
  decodeBundle,
)

const lookup = fc.oneof(
  fc.constant({ _tag: "Absent" as const }),
  fc.constant({ _tag: "Removed" as const }),
  bytes(24).map((value) => ({ _tag: "Present" as const, value })),
)
const change: fc.Arbitrary<Change> = fc.record({
  ref: fc.record({ kind: fc.constantFrom("vertex" as const, "hyperedge" as const), id }),
  prior: lookup,
  next: lookup,
})
codecProperties(
  "overlay change list",
  fc.array(change, { maxLength: 4 }),
  (changes) => encodeChanges(changes),
  (b) => {
    const r = new CanonicalReader(b)
    return Either.flatMap(readChanges(r), (changes) => Either.map(r.end(), () => changes))
  },
)

// A frame record (format 2) keeps only the tag of each next state.
const recordedChange = fc.record({
  ref: fc.record({ kind: fc.constantFrom("vertex" as const, "hyperedge" as const), id }),
  prior: lookup,
  next: fc.constantFrom({ _tag: "Absent" as const }, { _tag: "Removed" as const }, { _tag: "Present" as const }),
})
codecProperties(
  "frame record (format 2)",
  fc.record({ root: bytes(64), changes: fc.array(recordedChange, { maxLength: 4 }) }),
  encodeFrameRecord,
  decodeFrameRecord,
)

/** Keys 1–64 bytes, strictly ascending: the one canonical record. */
const entries = fc
  .uniqueArray(fc.record({ key: bytes(64, 1), value: bytes(24) }), { maxLength: 5, comparator: (a, b) => compareBytes(a.key, b.key) === 0 })
  .map((list) => [...list].sort((a, b) => compareBytes(a.key, b.key)))
codecProperties("hypergraph record (entries)", entries, encodeEntries, decodeEntries)

codecProperties("hyperedge value", fc.record({ id, members: fc.array(id, { maxLength: 4 }).map(canonicalMembers) }), encodeHyperedge, decodeHyperedge)

// A TypedOperation exposes the decoded operation only bound (its bytes), so these properties hold over the
// bytes: every valid encoding decodes to itself, and corruption is refused or (re-encoded inside
// `decode`) canonical.
const kvOp = (withValue: boolean, withN: boolean): fc.Arbitrary<KvOp> =>
  fc.record({
    domain: bytes(32, 32),
    key: bytes(128),
    value: withValue ? bytes(64) : fc.constant(new Uint8Array()),
    n: withN ? fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) : fc.constant(0n),
  })
const kvCodec = (name: string, op: TypedOperation<KvOp>, withValue: boolean, withN: boolean) =>
  codecProperties(
    `kv ${name} operation`,
    kvOp(withValue, withN).map((o) => op.encode(o)),
    (encoded) => encoded,
    (b) => Either.map(op.decode(b), (decoded) => decoded.bytes),
  )
kvCodec("SET", kvSet, true, true)
kvCodec("DEL", kvDel, false, false)
kvCodec("INCRBY", kvIncrBy, false, true)
kvCodec("EXPIRE", kvExpire, false, true)
