// A hyperedge's value in quilbun (spec §3.1, DECISIONS.md): `0x01 ‖ id(64) ‖ u32 count ‖ member
// ids (64 each, strictly ascending)`. The reference stores the members as a serialized extrinsic
// VCT with each member's full atom bytes; quilbun keeps the member ids until the VCT layer lands.
import * as Either from "effect/Either"
import { CanonicalReader, CanonicalWriter, ID_LENGTH, malformed, type OpError } from "../contract/index.ts"
import { MAX_HYPEREDGE_MEMBERS } from "./constants.ts"
import { compareBytes } from "./entries.ts"

const HYPEREDGE_KIND = 0x01

export interface HyperedgeValue {
  /** `domain ‖ address`. */
  readonly id: Uint8Array
  readonly members: ReadonlyArray<Uint8Array>
}

export const encodeHyperedge = (h: HyperedgeValue): Uint8Array => {
  const w = new CanonicalWriter().u8(HYPEREDGE_KIND).fixed(h.id).u32(h.members.length)
  for (const m of h.members) w.fixed(m)
  return w.finish()
}

/** Sorted and deduplicated: the one canonical member order. */
export const canonicalMembers = (members: ReadonlyArray<Uint8Array>): Array<Uint8Array> => {
  const sorted = [...members].sort(compareBytes)
  return sorted.filter((m, i) => i === 0 || compareBytes(sorted[i - 1] as Uint8Array, m) !== 0)
}

export const readHyperedge = (r: CanonicalReader, opType: number | undefined): Either.Either<HyperedgeValue, OpError> =>
  Either.gen(function* () {
    const kind = yield* r.u8("hyperedge kind")
    if (kind !== HYPEREDGE_KIND) return yield* Either.left(malformed(opType, `hyperedge kind byte ${kind} is not 1`))
    const id = yield* r.fixed("hyperedge id", ID_LENGTH)
    const members = yield* r.list("members", (reader) => reader.fixed("member id", ID_LENGTH), MAX_HYPEREDGE_MEMBERS)
    for (let i = 1; i < members.length; i++) {
      if (compareBytes(members[i - 1] as Uint8Array, members[i] as Uint8Array) >= 0)
        return yield* Either.left(malformed(opType, "member ids must be strictly ascending"))
    }
    return { id, members }
  })

/** A stored hyperedge value. */
export const decodeHyperedge = (bytes: Uint8Array): Either.Either<HyperedgeValue, OpError> => {
  const r = new CanonicalReader(bytes)
  return Either.flatMap(readHyperedge(r, undefined), (h) => Either.map(r.end(), () => h))
}
