// The native Poseidon HashBytes (bun:ffi → crates/poseidon) against the TypeScript reference
// (crates/ts/poseidon.ts, itself checked against test/vectors/poseidon_iden3.json in poseidon.test.ts):
// byte equality on 2,000 random inputs of 0..300 bytes and 400 of 0..600, chunk/frame edges, the
// vectors, and the fallback to TypeScript when the library is missing.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { choosePoseidon } from "../../../crates/ts/poseidon-live.ts"
import { loadNativePoseidon } from "../../../crates/ts/poseidon-native.ts"
import { poseidonHashBytes } from "../../../crates/ts/poseidon.ts"
import { prng } from "./vdf/vectors.ts"
import { vectorPath } from "../../vectors/index.ts"

const loaded = loadNativePoseidon()

/** HashBytes, or the error class it threw (empty input must throw the same RangeError in both). */
const outcome = (hash: (m: Uint8Array) => Uint8Array, msg: Uint8Array): string => {
  try {
    return bytesToHex(hash(msg))
  } catch (e) {
    return e instanceof RangeError ? "RangeError" : `unexpected ${String(e)}`
  }
}

// The set-up builds the library (scripts/setup.sh); a missing one is a failure that says why, not a skip.
test("the native library is built and exports quil_poseidon_hash_bytes", () => {
  expect("unavailable" in loaded ? loaded.unavailable : "loaded").toBe("loaded")
})

describe("native Poseidon HashBytes", () => {
  if ("unavailable" in loaded) return
  const native = loaded.hashBytes

  test("2,000 random inputs of 0..300 bytes: byte-equal to the TypeScript implementation", () => {
    const rand = prng(0x5eed)
    for (let i = 0; i < 2_000; i++) {
      const msg = rand.bytes(rand.int(301))
      const want = outcome(poseidonHashBytes, msg)
      const got = outcome(native, msg)
      if (got !== want) throw new Error(`mismatch for ${bytesToHex(msg)}: native ${got}, typescript ${want}`)
    }
  }, 300_000)

  // Property: any length 0..600 (empty, one frame, and a second chained frame past 496 bytes), with
  // bytes drawn three ways — uniform, runs of zero chunks (the first round's zero-slot shortcut) and
  // 0xff-heavy (the largest chunk values) — hashes to the same bytes natively and in TypeScript.
  test("400 random inputs of 0..600 bytes (uniform, zero runs, 0xff-heavy): byte-equal to TypeScript", () => {
    const rand = prng(0x600)
    const lengths = new Set<number>()
    for (let i = 0; i < 400; i++) {
      const len = rand.int(601)
      lengths.add(len)
      const msg = rand.bytes(len)
      const style = i % 3
      for (let j = 0; j < len; j++) {
        if (style === 1 && Math.floor(j / 31) % 3 !== 0) msg[j] = 0
        if (style === 2 && rand.int(4) !== 0) msg[j] = 0xff
      }
      const want = outcome(poseidonHashBytes, msg)
      const got = outcome(native, msg)
      if (got !== want) throw new Error(`mismatch at len ${len} for ${bytesToHex(msg)}: native ${got}, typescript ${want}`)
    }
    // The draw covers both frames' range, not just short inputs.
    expect([...lengths].some((n) => n > 496)).toBe(true)
    expect([...lengths].some((n) => n < 62)).toBe(true)
  }, 300_000)

  test("chunk and frame edges (31-byte chunks, 16 chunks per frame, chaining), extreme bytes, offset views", () => {
    const lengths = [1, 30, 31, 32, 61, 62, 63, 465, 495, 496, 497, 526, 527, 585, 961, 992, 993, 2000]
    for (const n of lengths) {
      for (const fill of [0x00, 0xff]) {
        const msg = new Uint8Array(n).fill(fill)
        expect(outcome(native, msg)).toBe(outcome(poseidonHashBytes, msg))
      }
    }
    // A view into a larger buffer hashes only its own bytes.
    const big = new Uint8Array(400).map((_, i) => (i * 31) & 0xff)
    const view = big.subarray(17, 17 + 200)
    expect(bytesToHex(native(view))).toBe(bytesToHex(poseidonHashBytes(view.slice())))
    expect(() => native(new Uint8Array(0))).toThrow(RangeError)
  }, 120_000)

  test("poseidon_iden3.json vectors", () => {
    const file = JSON.parse(readFileSync(vectorPath("poseidon_iden3.json"), "utf8")) as { vectors: Array<{ msg_hex: string; hash: string }> }
    for (const v of file.vectors) {
      const name = /ascii\('(.*)'\)/.exec(v.msg_hex)?.[1] ?? ""
      const msg = new Uint8Array([...new Uint8Array(32).fill(0xff), ...new TextEncoder().encode(name)])
      expect(bytesToHex(native(msg))).toBe(v.hash)
    }
  })

  test("choosePoseidon: native when the library loads, TypeScript otherwise", () => {
    expect(choosePoseidon().implementation).toBe("native")
    const fallback = choosePoseidon({ unavailable: "no library" })
    expect(fallback.implementation).toBe("typescript")
    expect(fallback.hash).toBe(poseidonHashBytes)
    expect(fallback.unavailable).toBe("no library")
  })

  test("QUILBUN_NATIVE_LIB=/nonexistent: PoseidonLive falls back to TypeScript, warns once, same digest", () => {
    const root = join(import.meta.dir, "..", "..", "..")
    const script = [
      `import { Effect, Layer } from "effect"`,
      `import { PoseidonLive } from "${root}/crates/ts/poseidon-live.ts"`,
      `import { Poseidon } from "${root}/crates/ts/services.ts"`,
      `const twice = Layer.merge(PoseidonLive, Layer.fresh(PoseidonLive))`,
      `const h = Effect.runSync(Poseidon.pipe(Effect.provide(twice)))`,
      `process.stdout.write("digest=" + Buffer.from(h(new Uint8Array(100).fill(0xff))).toString("hex") + "\\n")`,
    ].join("\n")
    const p = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, QUILBUN_NATIVE_LIB: "/nonexistent" } })
    expect(p.exitCode).toBe(0)
    const out = p.stdout.toString()
    expect(/digest=([0-9a-f]+)/.exec(out)?.[1]).toBe(bytesToHex(native(new Uint8Array(100).fill(0xff))))
    // Two layer builds in one process, one warning.
    expect(`${out}${p.stderr.toString()}`.match(/using the TypeScript implementation/g)?.length).toBe(1)
  }, 60_000)
})
