// The kv plugin: total codecs, SET/GET/DEL/INCRBY/EXPIRE/SCAN semantics with expiry by frame number
// (through the real overlays with the access-set assertion on), and the ≤150-line budget of its logic.
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { FrameOverlay, MemoryCommitted } from "../../../../actors/execution/overlay/index.ts"
import { type DecodedOp, type ExecCtx, loadIntrinsics, type StateView } from "../../../../intrinsics/contract/index.ts"
import kv from "../../../../plugins/kv/index.ts"
import { KV_DEFAULT_DOMAIN, type KvOp, kvDel, kvExpire, kvIncrBy, kvQueries, kvSet, MAX_KEYS, MAX_VALUE_BYTES } from "../../../../plugins/kv/kv.ts"
import { ctxFor } from "../../intrinsics/hypergraph/fixtures/hypergraph-env.ts"

const utf8 = new TextEncoder()
const op = (key: string, value = "", n = 0n): KvOp => ({ domain: KV_DEFAULT_DOMAIN, key: utf8.encode(key), value: utf8.encode(value), n })
const ops = [kvSet, kvDel, kvIncrBy, kvExpire]

describe("kv codecs", () => {
  test("every decoder is total: 10,000 random buffers each (half with its own prefix), no throw", () => {
    let seed = 42
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed
    }
    for (const o of ops) {
      for (let i = 0; i < 10_000; i++) {
        const bytes = Uint8Array.from({ length: rand() % 200 }, () => rand() & 0xff)
        if (i % 2 === 0 && bytes.length >= 4) new DataView(bytes.buffer).setUint32(0, o.opType)
        const decoded = o.decode(bytes)
        expect(Either.isLeft(decoded) || Either.isRight(decoded)).toBe(true)
      }
    }
  })

  test("round trip; oversized values and trailing bytes are refused", () => {
    for (const o of ops) {
      const bytes = o.encode(op("k", o === kvSet ? "v" : "", o === kvDel ? 0n : -5n))
      const decoded = o.decode(bytes)
      expect(Either.isRight(decoded) && decoded.right.bytes).toEqual(bytes)
      expect(Either.isLeft(o.decode(Uint8Array.of(...bytes, 0)))).toBe(true)
    }
    expect(Either.isLeft(kvSet.decode(kvSet.encode(op("k", "x".repeat(MAX_VALUE_BYTES + 1)))))).toBe(true)
  })

  test("the manifest loads next to itself and owns 0x7100-0x7103", () => {
    expect(Either.isRight(loadIntrinsics([kv]))).toBe(true)
    expect(kv.manifest.opTypes).toEqual([0x7100, 0x7101, 0x7102, 0x7103])
  })
})

/** One frame's overlay; each op runs validate then apply in its own bundle at `frame`. */
const store = () => {
  const frame = new FrameOverlay(new MemoryCommitted(), { checkAccess: true })
  const run = (decoded: DecodedOp, at: bigint, overrides: Partial<ExecCtx> = {}) =>
    Effect.runSync(
      Effect.either(
        Effect.gen(function* () {
          const ctx = ctxFor(KV_DEFAULT_DOMAIN, { frameNumber: at, ...overrides })
          const bundle = Either.getOrThrow(frame.openBundle())
          const view: StateView = bundle.forOperation(decoded.accessSet(ctx))
          const result = yield* Effect.either(Effect.zipRight(decoded.validate(bundle, ctx), decoded.apply(view, ctx)))
          if (Either.isLeft(result)) {
            bundle.discard()
            return yield* Effect.fail(result.left.message)
          }
          Either.getOrThrow(bundle.fold())
        }),
      ),
    )
  const query = (name: string, args: Record<string, string>, at: bigint): unknown => {
    const q = kvQueries.find((x) => x.name === name)
    if (q === undefined) throw new Error(name)
    return Effect.runSync(q.run(args, frame, { frameNumber: at }))
  }
  const get = (key: string, at: bigint) => (query("get", { key }, at) as { value: string | null }).value
  return { run, query, get }
}

describe("kv semantics", () => {
  test("SET then GET; DEL makes it absent; a key can be set again after DEL", () => {
    const s = store()
    expect(Either.isRight(s.run(kvSet.bind(op("a", "1")), 5n))).toBe(true)
    expect(s.get("a", 5n)).toBe("1")
    expect(s.get("b", 5n)).toBeNull()
    expect(Either.isRight(s.run(kvDel.bind(op("a")), 6n))).toBe(true)
    expect(s.get("a", 6n)).toBeNull()
    expect(Either.isRight(s.run(kvDel.bind(op("a")), 6n))).toBe(true) // DEL of an absent key: a no-op
    expect(Either.isRight(s.run(kvSet.bind(op("a", "2")), 7n))).toBe(true)
    expect(s.get("a", 7n)).toBe("2")
  })

  test("EX counts frames: live before frame+EX, absent from it on; a write after expiry starts fresh", () => {
    const s = store()
    s.run(kvSet.bind(op("t", "9", 3n)), 10n)
    expect(s.get("t", 12n)).toBe("9")
    expect(s.get("t", 13n)).toBeNull()
    expect(Either.isRight(s.run(kvIncrBy.bind(op("t", "", 5n)), 13n))).toBe(true)
    expect(s.get("t", 100n)).toBe("5") // fresh: no old value, no old expiry
  })

  test("INCRBY: from 0, negative steps, refuses non-integers and 64-bit overflow, keeps the expiry", () => {
    const s = store()
    s.run(kvIncrBy.bind(op("n", "", 7n)), 1n)
    s.run(kvIncrBy.bind(op("n", "", -10n)), 1n)
    expect(s.get("n", 1n)).toBe("-3")
    s.run(kvSet.bind(op("s", "abc")), 1n)
    expect(s.run(kvIncrBy.bind(op("s", "", 1n)), 1n)).toEqual(Either.left(expect.stringContaining("not an integer")))
    s.run(kvSet.bind(op("m", "9223372036854775807")), 1n)
    expect(s.run(kvIncrBy.bind(op("m", "", 1n)), 1n)).toEqual(Either.left(expect.stringContaining("overflow")))
    s.run(kvSet.bind(op("e", "1", 2n)), 1n)
    s.run(kvIncrBy.bind(op("e", "", 1n)), 2n)
    expect(s.get("e", 2n)).toBe("2")
    expect(s.get("e", 3n)).toBeNull()
  })

  test("EXPIRE sets a deadline from the current frame; on an absent key it does nothing; 0 frames is refused", () => {
    const s = store()
    s.run(kvSet.bind(op("k", "v")), 1n)
    expect(Either.isRight(s.run(kvExpire.bind(op("k", "", 4n)), 20n))).toBe(true)
    expect(s.get("k", 23n)).toBe("v")
    expect(s.get("k", 24n)).toBeNull()
    expect(Either.isRight(s.run(kvExpire.bind(op("gone", "", 4n)), 20n))).toBe(true)
    expect(s.get("gone", 20n)).toBeNull()
    expect(Either.isLeft(s.run(kvExpire.bind(op("k", "", 0n)), 20n))).toBe(true)
  })

  test("SCAN: live keys with the prefix in byte order, COUNT bounds it, deleted and expired keys are left out", () => {
    const s = store()
    for (const k of ["user:2", "user:1", "user:3", "other"]) s.run(kvSet.bind(op(k, "x")), 1n)
    s.run(kvSet.bind(op("user:4", "x", 1n)), 1n)
    s.run(kvDel.bind(op("user:3")), 1n)
    expect(s.query("scan", { prefix: "user:" }, 1n)).toEqual({ keys: ["user:1", "user:2", "user:4"] })
    expect(s.query("scan", { prefix: "user:" }, 2n)).toEqual({ keys: ["user:1", "user:2"] })
    expect(s.query("scan", { prefix: "user:", count: "1" }, 2n)).toEqual({ keys: ["user:1"] })
    expect(s.query("scan", { prefix: "" }, 2n)).toEqual({ keys: ["other", "user:1", "user:2"] })
  })

  test("refusals: another domain, an empty key, a fee short of cost × multiplier, a full index", () => {
    const s = store()
    const other = { ...op("k", "v"), domain: new Uint8Array(32).fill(1) }
    expect(s.run(kvSet.bind(other), 1n)).toEqual(Either.left(expect.stringContaining("routed")))
    expect(s.run(kvSet.bind(op("", "v")), 1n)).toEqual(Either.left(expect.stringContaining("key")))
    expect(s.run(kvSet.bind(op("k", "v")), 1n, { feePaid: 0n, feeMultiplier: 1n })._tag).toBe("Left")
    expect(s.run(kvSet.bind(op("k", "v")), 1n, { feePaid: 0n, feeMultiplier: 0n })._tag).toBe("Right")
    for (let i = 0; i < MAX_KEYS - 1; i++) s.run(kvSet.bind(op(`f${i}`, "")), 1n)
    expect(s.run(kvSet.bind(op("one-too-many", "")), 1n)).toEqual(Either.left(expect.stringContaining(`${MAX_KEYS} keys`)))
    expect(Either.isRight(s.run(kvSet.bind(op("k", "overwrite")), 1n))).toBe(true)
    // Filling the one index vertex to 1,024 keys re-reads it per SET (quadratic by design): about a
    // second alone, several on a loaded machine — a deadline against hangs, not a speed target.
  }, 60_000)
})

test("the kv logic (codecs, access sets, validate, apply, fee, queries) fits in 150 lines", () => {
  const lines = readFileSync(join(import.meta.dir, "../../../../plugins/kv/kv.ts"), "utf8")
    .trimEnd()
    .split("\n").length
  expect(lines).toBeLessThanOrEqual(150)
})
