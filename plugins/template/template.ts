// The template plugin's logic: one operation (`note`: a short UTF-8 value under a key of the default
// instance, unsigned — a demo, anyone may write any key) and one query (`get`). `bun run plugin new`
// copies this folder and rewrites the name and the op type; keep both in this file.
import { sha256 } from "@noble/hashes/sha2.js"
import { hexToBytes } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as C from "../../intrinsics/contract/index.ts"

export const PLUGIN_NAME = "template"
const utf8 = new TextEncoder()
/** `sha256("q_<name>")`: the routing key; `sha256("q_<name>_default")`: the one fixed (demo) instance. */
export const BASE_DOMAIN = sha256(utf8.encode("q_template"))
export const DEFAULT_DOMAIN = sha256(utf8.encode("q_template_default"))
/** The plugin's one op type; its block (0xXX00–0xXXFF) belongs to this plugin alone (README). */
export const NOTE = 0x7200
const MAX_KEY_BYTES = 64
export const MAX_VALUE_BYTES = 256

/** `domain(32) ‖ u32 len ‖ key ‖ u32 len ‖ value`. */
export type NoteOp = { readonly domain: Uint8Array; readonly key: Uint8Array; readonly value: Uint8Array }

// A key's vertex address: sha256(key), so any key fits the 32-byte address.
const keyId = (domain: Uint8Array, key: Uint8Array): Uint8Array => C.atomId(domain, sha256(key))
const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}
const refuse = (kind: C.OpErrorKind, reason: string) => Effect.fail(new C.OpError({ kind, opType: NOTE, reason }))
const cost = (op: NoteOp): bigint => BigInt(1 + op.key.length + op.value.length)

export const noteOp = C.defineOperation<NoteOp>({
  opType: NOTE,
  name: "note",
  encode: (op) => C.canonicalWriter(NOTE).fixed(op.domain).bytes(op.key).bytes(op.value).finish(),
  // Total: every malformed input is a Left, never a throw (the test feeds it random buffers).
  decode: (bytes) =>
    C.decodeCanonical(NOTE, bytes, (r) =>
      Either.gen(function* () {
        const domain = yield* r.fixed("domain", 32)
        const key = yield* r.bytes("key", MAX_KEY_BYTES)
        const value = yield* r.bytes("value", MAX_VALUE_BYTES)
        return { domain, key, value }
      }),
    ),
  target: (op) => op.domain,
  accessSet: (op) => ({ reads: [], writes: [keyId(op.domain, op.key)] }),
  // Every check reads only the op, the view and the context, so replay gives the same answer.
  validate: (op, _view, ctx) => {
    if (!C.bytesEqual(op.domain, ctx.routedDomain)) return refuse("invalid", "the operation's domain is not the domain it was routed to")
    if (!C.bytesEqual(op.domain, DEFAULT_DOMAIN)) return refuse("invalid", "only the default instance exists")
    if (op.key.length === 0) return refuse("invalid", "a key is not empty")
    if (!isUtf8(op.key) || !isUtf8(op.value)) return refuse("invalid", "keys and values are UTF-8")
    if (ctx.feePaid < cost(op) * ctx.feeMultiplier) return refuse("insufficient-fee", `paid ${ctx.feePaid}, needs ${cost(op)} × ${ctx.feeMultiplier}`)
    return Effect.void
  },
  apply: (op, view) =>
    Effect.gen(function* () {
      const id = keyId(op.domain, op.key)
      yield* view.put(C.vertex(id), op.value, "upsert")
      return [{ kind: "note-written", id }]
    }),
  cost,
})

const Domain = Schema.optional(Schema.String.pipe(Schema.pattern(/^(0x)?[0-9a-fA-F]{64}$/)))

export const queries = [
  C.defineQuery({
    name: "get",
    description: "The value under a key (null when never written). `domain` names the instance (default: the default one).",
    args: Schema.Struct({ domain: Domain, key: Schema.String }),
    result: Schema.Struct({ value: Schema.NullOr(Schema.String) }),
    run: ({ domain, key }, view) => {
      const d = domain === undefined ? DEFAULT_DOMAIN : hexToBytes(domain.replace(/^0x/, ""))
      const found = view.get(C.vertex(keyId(d, utf8.encode(key))))
      return Effect.succeed({ value: found._tag === "Present" ? new TextDecoder().decode(found.value) : null })
    },
  }),
]
