// The template plugin without a node: codec round trip, total decoding, and validate/apply/get over a
// small in-memory StateView (built here from the contract's types, since a plugin sees nothing else).
import { describe, expect, test } from "bun:test"
import { sha256, sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as C from "../../intrinsics/contract/index.ts"
import plugin, { manifest } from "./index.ts"
import { DEFAULT_DOMAIN, MAX_VALUE_BYTES, NOTE, type NoteOp, noteOp, PLUGIN_NAME, queries } from "./template.ts"

const utf8 = new TextEncoder()
const op = (key: string, value: string, domain = DEFAULT_DOMAIN): NoteOp => ({ domain, key: utf8.encode(key), value: utf8.encode(value) })

/** A StateView over a Map with the contract's write rule (create / update / upsert, removals stick). */
const memoryView = (): C.StateView => {
  const atoms = new Map<string, C.Lookup>()
  const keyOf = (ref: C.AtomRef) => `${ref.kind}:${bytesToHex(ref.id)}`
  const lookup = (ref: C.AtomRef): C.Lookup => atoms.get(keyOf(ref)) ?? C.Absent
  return {
    get: lookup,
    put: (ref, value, mode) => {
      const found = lookup(ref)._tag
      const ok = mode === "create" ? found === "Absent" : mode === "update" ? found === "Present" : found !== "Removed"
      if (!ok) return Either.left(new C.WriteRefused({ ref, mode, found }))
      atoms.set(keyOf(ref), C.present(Uint8Array.from(value)))
      return Either.right(undefined)
    },
    remove: (ref) => {
      const found = lookup(ref)._tag
      if (found !== "Present") return Either.left(new C.WriteRefused({ ref, mode: "remove", found }))
      atoms.set(keyOf(ref), C.Removed)
      return Either.right(undefined)
    },
  }
}

const unused = () => {
  throw new Error("not used by this plugin")
}
const ctx = (overrides: Partial<C.ExecCtx> = {}): C.ExecCtx => ({
  frameNumber: 1n,
  network: 1,
  routedDomain: DEFAULT_DOMAIN,
  feePaid: 0n,
  feeMultiplier: 0n,
  crypto: { poseidon: unused, sha256: (d) => sha256(d), sha512: (d) => sha512(d), blsVerify: unused },
  ...overrides,
})

/** validate then apply, the host's order; Left carries the refusal's message. */
const run = (view: C.StateView, note: NoteOp, c: C.ExecCtx = ctx()) => {
  const decoded = noteOp.bind(note)
  return Effect.runSync(Effect.either(Effect.zipRight(decoded.validate(view, c), decoded.apply(view, c)).pipe(Effect.mapError((e) => e.message))))
}
const get = (view: C.ReadView, key: string): string | null => {
  const q = queries.find((x) => x.name === "get")
  if (q === undefined) throw new Error("no get query")
  return (Effect.runSync(q.run({ key }, view)) as { value: string | null }).value
}

describe(`${PLUGIN_NAME} codec`, () => {
  test("round trip; trailing bytes and oversized values are refused", () => {
    const bytes = noteOp.encode(op("greeting", "héllo"))
    const decoded = noteOp.decode(bytes)
    expect(Either.isRight(decoded) && decoded.right.bytes).toEqual(bytes)
    expect(Either.isRight(decoded) && decoded.right.target()).toEqual(DEFAULT_DOMAIN)
    expect(Either.isLeft(noteOp.decode(Uint8Array.of(...bytes, 0)))).toBe(true)
    expect(Either.isLeft(noteOp.decode(noteOp.encode(op("k", "x".repeat(MAX_VALUE_BYTES + 1)))))).toBe(true)
  })

  test("decoding is total: 2,000 random buffers (half with the op's prefix) never throw", () => {
    let seed = 7
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed
    }
    for (let i = 0; i < 2_000; i++) {
      const bytes = Uint8Array.from({ length: rand() % 160 }, () => rand() & 0xff)
      if (i % 2 === 0 && bytes.length >= 4) new DataView(bytes.buffer).setUint32(0, NOTE)
      const decoded = noteOp.decode(bytes)
      expect(Either.isLeft(decoded) || Either.isRight(decoded)).toBe(true)
    }
  })

  test("the manifest loads and owns exactly its op type", () => {
    expect(Either.isRight(C.loadIntrinsics([plugin]))).toBe(true)
    expect(manifest.name).toBe(PLUGIN_NAME)
    expect(manifest.opTypes).toEqual([NOTE])
  })
})

describe(`${PLUGIN_NAME} semantics`, () => {
  test("note then get; a second note overwrites; an unknown key is null", () => {
    const view = memoryView()
    expect(Either.isRight(run(view, op("a", "one")))).toBe(true)
    expect(get(view, "a")).toBe("one")
    expect(Either.isRight(run(view, op("a", "two")))).toBe(true)
    expect(get(view, "a")).toBe("two")
    expect(get(view, "b")).toBeNull()
  })

  test("validate refuses: another domain, a misrouted op, an empty key, non-UTF-8, too small a fee", () => {
    const view = memoryView()
    const other = new Uint8Array(32).fill(9)
    expect(run(view, op("a", "x", other), ctx({ routedDomain: other }))).toEqual(Either.left(expect.stringContaining("only the default instance")))
    expect(run(view, op("a", "x"), ctx({ routedDomain: other }))).toEqual(Either.left(expect.stringContaining("routed")))
    expect(run(view, op("", "x"))).toEqual(Either.left(expect.stringContaining("not empty")))
    expect(run(view, { ...op("a", ""), value: Uint8Array.of(0xff) })).toEqual(Either.left(expect.stringContaining("UTF-8")))
    expect(run(view, op("a", "x"), ctx({ feePaid: 2n, feeMultiplier: 1n }))).toEqual(Either.left(expect.stringContaining("paid 2")))
    expect(Either.isRight(run(view, op("a", "x"), ctx({ feePaid: 3n, feeMultiplier: 1n })))).toBe(true)
    expect(get(view, "a")).toBe("x")
  })

  test("the access set covers the write; the builder encodes the same bytes", () => {
    const decoded = noteOp.bind(op("k", "v"))
    expect(decoded.accessSet(ctx()).writes).toHaveLength(1)
    const built = Effect.runSync(
      plugin.builders.note.build({ key: "k", value: "v" }, { crypto: ctx().crypto, frameNumber: 0n, read: () => Effect.succeed(C.Absent) }),
    )
    expect(built).toEqual(noteOp.encode(op("k", "v")))
  })
})
