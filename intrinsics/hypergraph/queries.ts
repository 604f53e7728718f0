// Read-only queries (spec §11.1 "query"): vertex(id), hyperedge(id) — the fields of the reference's
// GetVertexData reply (set/phase, shard L1/L2, entries) — and shardInfo(address).
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { DOMAIN_LENGTH, defineQuery, domainOf, hyperedge, type Query, QueryError, type ReadView, vertex } from "../contract/index.ts"
import { bloomFilter } from "./bloom.ts"
import { decodeEntries } from "./entries.ts"
import { decodeHyperedge } from "./hyperedge.ts"
import { shardAddress, shardKeyOf, subShardOf } from "./shard.ts"

const Hex = (bytes: number) =>
  Schema.String.pipe(Schema.pattern(new RegExp(`^(0x)?[0-9a-fA-F]{${bytes * 2}}$`), { message: () => `expected ${bytes} bytes of hex` }))
const strip = (hex: string): string => (hex.startsWith("0x") ? hex.slice(2) : hex).toLowerCase()

const Shard = Schema.Struct({ l1: Schema.String, l2: Schema.String })
const EntryOut = Schema.Struct({ key: Schema.String, value: Schema.String })

export const AtomAnswer = Schema.Struct({
  address: Schema.String,
  /** `<set>/<phase>`: vertex|hyperedge / adds|removes. */
  type: Schema.String,
  shard: Shard,
  entries: Schema.Array(EntryOut),
})
export type AtomAnswer = typeof AtomAnswer.Type

const shardOf = (id: Uint8Array) => {
  const key = shardKeyOf(domainOf(id))
  return { l1: bytesToHex(key.l1), l2: bytesToHex(key.l2) }
}

const lookupAtom = (kind: "vertex" | "hyperedge", id: Uint8Array, view: ReadView): Effect.Effect<AtomAnswer, QueryError> => {
  const found = view.get(kind === "vertex" ? vertex(id) : hyperedge(id))
  const base = { address: bytesToHex(id), shard: shardOf(id) }
  if (found._tag === "Absent") return Effect.fail(new QueryError({ kind: "not-found", reason: `no ${kind} ${bytesToHex(id)}` }))
  // Removal never deletes in the reference either; quilbun's view keeps only the tombstone, so a removed atom answers its phase and no entries.
  if (found._tag === "Removed") return Effect.succeed({ ...base, type: `${kind}/removes`, entries: [] })
  if (kind === "vertex") {
    const entries = decodeEntries(found.value)
    if (Either.isLeft(entries)) return Effect.die(entries.left)
    return Effect.succeed({ ...base, type: "vertex/adds", entries: entries.right.map((e) => ({ key: bytesToHex(e.key), value: bytesToHex(e.value) })) })
  }
  const edge = decodeHyperedge(found.value)
  if (Either.isLeft(edge)) return Effect.die(edge.left)
  // A hyperedge's entries are its members, keyed by id (the reference's extrinsic tree keys); quilbun stores no member bytes.
  return Effect.succeed({ ...base, type: "hyperedge/adds", entries: edge.right.members.map((m) => ({ key: bytesToHex(m), value: "" })) })
}

const vertexQuery = defineQuery({
  name: "vertex",
  description: "A vertex by its 64-byte id: phase, shard, entries.",
  args: Schema.Struct({ id: Hex(64) }),
  result: AtomAnswer,
  run: ({ id }, view) => lookupAtom("vertex", hexToBytes(strip(id)), view),
})

const hyperedgeQuery = defineQuery({
  name: "hyperedge",
  description: "A hyperedge by its 64-byte id: phase, shard, members.",
  args: Schema.Struct({ id: Hex(64) }),
  result: AtomAnswer,
  run: ({ id }, view) => lookupAtom("hyperedge", hexToBytes(strip(id)), view),
})

export const ShardInfo = Schema.Struct({
  l1: Schema.String,
  l2: Schema.String,
  /** The 256-bit pubsub bitmask of the app address. */
  bitmask: Schema.String,
  /** For a 64-byte atom id: its sub-shard (nibble 43), or null outside every sub-shard path. */
  subShard: Schema.NullOr(Schema.Number),
  /** `L2 ‖ subShard` when there is one, else L2. */
  shardAddress: Schema.String,
})
export type ShardInfo = typeof ShardInfo.Type

/** Shard facts of a 32-byte app address or a 64-byte atom id (spec §3.3). */
export const shardInfo = (address: Uint8Array): ShardInfo => {
  const app = address.slice(0, DOMAIN_LENGTH)
  const key = shardKeyOf(app)
  const sub = address.length > DOMAIN_LENGTH ? subShardOf(address.slice(DOMAIN_LENGTH)) : undefined
  return {
    l1: bytesToHex(key.l1),
    l2: bytesToHex(key.l2),
    bitmask: bytesToHex(bloomFilter(app)),
    subShard: sub ?? null,
    shardAddress: bytesToHex(shardAddress(app, sub === undefined ? [] : [sub])),
  }
}

const shardInfoQuery = defineQuery({
  name: "shard-info",
  description: "L1 bloom indices, L2, bitmask and sub-shard of an app address or atom id.",
  args: Schema.Struct({ address: Schema.Union(Hex(32), Hex(64)) }),
  result: ShardInfo,
  run: ({ address }) => Effect.succeed(shardInfo(hexToBytes(strip(address)))),
})

export const hypergraphQueries: ReadonlyArray<Query> = [vertexQuery, hyperedgeQuery, shardInfoQuery]
