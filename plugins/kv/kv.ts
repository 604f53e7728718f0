// The kv intrinsic's logic (codecs, access sets, validate, apply, fee, queries): kept under 150 lines
// on purpose (a test counts them) so a plugin author can read the whole contract use in one sitting.
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as C from "../../intrinsics/contract/index.ts"

const utf8 = new TextEncoder()
/** `sha256("q_kv")`: the routing key; `sha256("q_kv_default")`: the one fixed (demo) instance. */
export const KV_BASE_DOMAIN = sha256(utf8.encode("q_kv"))
export const KV_DEFAULT_DOMAIN = sha256(utf8.encode("q_kv_default"))
export const [KV_SET, KV_DEL, KV_INCRBY, KV_EXPIRE] = [0x7100, 0x7101, 0x7102, 0x7103] as const
const MAX_KEY_BYTES = 128
export const MAX_VALUE_BYTES = 4096
/** The per-instance key index (SCAN) holds at most this many keys; a SET of a new key beyond it is refused. */
export const MAX_KEYS = 1024

/** Every op is `domain ‖ key [‖ value] [‖ i64 n]`: n is EX frames (SET, 0 = none), the increment, or EXPIRE frames. */
export type KvOp = { readonly domain: Uint8Array; readonly key: Uint8Array; readonly value: Uint8Array; readonly n: bigint }
/** `expiresAt`: the first frame the key no longer exists in; 0 = never. */
type Rec = { readonly value: Uint8Array; readonly expiresAt: bigint }

// Data address of a key: sha256(0x00 ‖ key); the index: sha256(0x01 ‖ "index"). Distinct prefixes keep them apart.
const keyId = (domain: Uint8Array, key: Uint8Array): Uint8Array => C.atomId(domain, sha256(Uint8Array.of(0, ...key)))
const indexId = (domain: Uint8Array): Uint8Array => C.atomId(domain, sha256(Uint8Array.of(1, ...utf8.encode("index"))))

// A deleted key is an empty vertex: a removed atom can never be written again (2P2P), a key can.
const encodeRec = (r: Rec | null): Uint8Array => (r === null ? new Uint8Array() : new C.CanonicalWriter().u64(r.expiresAt).bytes(r.value).finish())
const readRec = (view: C.ReadView, id: Uint8Array, frame: bigint): Rec | undefined => {
  const found = view.get(C.vertex(id))
  if (found._tag !== "Present" || found.value.length === 0) return undefined
  const r = new C.CanonicalReader(found.value)
  const rec = Either.all({ expiresAt: r.u64("expiresAt"), value: r.bytes("value") })
  return Either.isLeft(rec) || (rec.right.expiresAt !== 0n && frame >= rec.right.expiresAt) ? undefined : rec.right
}
const readIndex = (view: C.ReadView, domain: Uint8Array): Array<Uint8Array> => {
  const found = view.get(C.vertex(indexId(domain)))
  if (found._tag !== "Present") return []
  return Either.getOrElse(
    new C.CanonicalReader(found.value).list("keys", (r) => r.bytes("key", MAX_KEY_BYTES), MAX_KEYS),
    () => [],
  )
}
const writeIndex = (keys: ReadonlyArray<Uint8Array>): Uint8Array => {
  const w = new C.CanonicalWriter().u32(keys.length)
  for (const k of [...keys].sort((a, b) => (bytesToHex(a) < bytesToHex(b) ? -1 : 1))) w.bytes(k)
  return w.finish()
}

const [I64_MIN, I64_MAX] = [-(1n << 63n), (1n << 63n) - 1n]
/** What the op leaves under its key: a record, null (deleted) or undefined (unchanged); Left = refused. */
const step = (opType: number, op: KvOp, cur: Rec | undefined, frame: bigint): Either.Either<Rec | null | undefined, string> => {
  if (opType === KV_SET) return op.n < 0n ? Either.left("negative EX") : Either.right({ value: op.value, expiresAt: op.n === 0n ? 0n : frame + op.n })
  if (opType === KV_DEL) return Either.right(cur === undefined ? undefined : null)
  if (opType === KV_EXPIRE) return op.n < 1n ? Either.left("EXPIRE needs at least 1 frame") : Either.right(cur && { ...cur, expiresAt: frame + op.n })
  const text = cur === undefined ? "0" : new TextDecoder().decode(cur.value)
  if (!/^-?\d{1,19}$/.test(text)) return Either.left("the value is not an integer")
  const sum = BigInt(text) + op.n
  if (sum < I64_MIN || sum > I64_MAX) return Either.left("increment would overflow a 64-bit integer")
  return Either.right({ value: utf8.encode(sum.toString()), expiresAt: cur?.expiresAt ?? 0n })
}

const refuse = (opType: number, kind: "invalid" | "state" | "insufficient-fee", reason: string) => Effect.fail(new C.OpError({ kind, opType, reason }))
const cost = (op: KvOp): bigint => BigInt(1 + op.key.length + op.value.length)

const kvOperation = (opType: number, name: string, hasValue: boolean, hasN: boolean): C.TypedOperation<KvOp> =>
  C.defineOperation<KvOp>({
    opType,
    name,
    encode: (op) => {
      const w = C.canonicalWriter(opType).fixed(op.domain).bytes(op.key)
      if (hasValue) w.bytes(op.value)
      return (hasN ? w.u64(BigInt.asUintN(64, op.n)) : w).finish()
    },
    decode: (bytes) =>
      C.decodeCanonical(opType, bytes, (r) =>
        Either.gen(function* () {
          const domain = yield* r.fixed("domain", 32)
          const key = yield* r.bytes("key", MAX_KEY_BYTES)
          const value = hasValue ? yield* r.bytes("value", MAX_VALUE_BYTES) : new Uint8Array()
          return { domain, key, value, n: hasN ? BigInt.asIntN(64, yield* r.u64("n")) : 0n }
        }),
      ),
    target: (op) => op.domain,
    // The index is written only when a key appears or disappears, but it is locked by every op that may do so.
    accessSet: (op) => ({ reads: [], writes: opType === KV_EXPIRE ? [keyId(op.domain, op.key)] : [keyId(op.domain, op.key), indexId(op.domain)] }),
    validate: (op, view, ctx) => {
      if (!C.bytesEqual(op.domain, ctx.routedDomain)) return refuse(opType, "invalid", "the operation's domain is not the domain it was routed to")
      if (!C.bytesEqual(op.domain, KV_DEFAULT_DOMAIN)) return refuse(opType, "invalid", "only the default kv instance exists")
      if (op.key.length === 0) return refuse(opType, "invalid", "a key is not empty")
      if (ctx.feePaid < cost(op) * ctx.feeMultiplier) return refuse(opType, "insufficient-fee", `paid ${ctx.feePaid}, needs ${cost(op)} × ${ctx.feeMultiplier}`)
      const next = step(opType, op, readRec(view, keyId(op.domain, op.key), ctx.frameNumber), ctx.frameNumber)
      if (Either.isLeft(next)) return refuse(opType, "state", next.left)
      const keys = readIndex(view, op.domain)
      const isNew = next.right && !keys.some((k) => C.bytesEqual(k, op.key))
      return isNew && keys.length >= MAX_KEYS ? refuse(opType, "state", `the instance holds ${MAX_KEYS} keys`) : Effect.void
    },
    apply: (op, view, ctx) =>
      Effect.gen(function* () {
        const id = keyId(op.domain, op.key)
        const next = step(opType, op, readRec(view, id, ctx.frameNumber), ctx.frameNumber)
        if (Either.isLeft(next)) return yield* refuse(opType, "state", next.left)
        if (next.right === undefined) return []
        yield* view.put(C.vertex(id), encodeRec(next.right), "upsert")
        const keys = readIndex(view, op.domain)
        const listed = keys.some((k) => C.bytesEqual(k, op.key))
        if (next.right === null && listed) yield* view.put(C.vertex(indexId(op.domain)), writeIndex(keys.filter((k) => !C.bytesEqual(k, op.key))), "upsert")
        if (next.right !== null && !listed) yield* view.put(C.vertex(indexId(op.domain)), writeIndex([...keys, op.key]), "upsert")
        return [{ kind: next.right === null ? "kv-deleted" : "kv-written", id }]
      }),
    cost,
  })

export const kvSet = kvOperation(KV_SET, "set", true, true)
export const kvDel = kvOperation(KV_DEL, "del", false, false)
export const kvIncrBy = kvOperation(KV_INCRBY, "incrby", false, true)
export const kvExpire = kvOperation(KV_EXPIRE, "expire", false, true)

const Domain = Schema.optional(Schema.String.pipe(Schema.pattern(/^(0x)?[0-9a-fA-F]{64}$/)))
const domainOf = (hex: string | undefined): Uint8Array => (hex === undefined ? KV_DEFAULT_DOMAIN : hexToBytes(hex.replace(/^0x/, "")))
const Count = Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, MAX_KEYS)))
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

export const kvQueries = [
  C.defineQuery({
    name: "get",
    description: "The value of a key (null when absent or expired at the shard's head frame).",
    args: Schema.Struct({ domain: Domain, key: Schema.String }),
    result: Schema.Struct({ value: Schema.NullOr(Schema.String) }),
    run: ({ domain, key }, view, ctx) => {
      const rec = readRec(view, keyId(domainOf(domain), utf8.encode(key)), ctx.frameNumber ?? 0n)
      return Effect.succeed({ value: rec === undefined ? null : text(rec.value) })
    },
  }),
  C.defineQuery({
    name: "scan",
    description: "Live keys starting with a prefix, in byte order, at most count (default 100).",
    args: Schema.Struct({ domain: Domain, prefix: Schema.String, count: Count }),
    result: Schema.Struct({ keys: Schema.Array(Schema.String) }),
    run: ({ domain, prefix, count }, view, ctx) => {
      const d = domainOf(domain)
      const keys = readIndex(view, d).filter((k) => text(k).startsWith(prefix) && readRec(view, keyId(d, k), ctx.frameNumber ?? 0n) !== undefined)
      return Effect.succeed({ keys: keys.slice(0, count ?? 100).map(text) })
    },
  }),
]
