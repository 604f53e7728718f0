// `bun runtime/cli/main.ts crypto vdf|poseidon ...` as a user runs it, including the TypeScript
// fallback forced by QUILBUN_NATIVE_LIB=/nonexistent (one warning, same bytes).
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { join } from "node:path"
import { wesolowskiLines } from "../../unit/crates/vdf/vectors.ts"

const cli = join(import.meta.dir, "..", "..", "..", "runtime", "cli", "main.ts")
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const p = Bun.spawnSync([process.execPath, cli, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}
const { single } = wesolowskiLines()
const FALLBACK = { QUILBUN_NATIVE_LIB: "/nonexistent" }

describe("cli crypto vdf", () => {
  test("prove prints the vector's 516-byte output; verify says valid (exit 0)", () => {
    const l = single.find((x) => x.seed === "raw/aa" || x.challenge.length === 1) ?? single[0]!
    const proved = run(["crypto", "vdf", "prove", bytesToHex(l.challenge), String(l.difficulty)])
    expect(proved.code).toBe(0)
    expect(proved.out.trim()).toBe(bytesToHex(l.output))
    const verified = run(["crypto", "vdf", "verify", bytesToHex(l.challenge), String(l.difficulty), bytesToHex(l.output)])
    expect(verified.code).toBe(0)
    expect(verified.out.trim()).toBe("valid")
  }, 30_000)

  test("verify of a tampered output prints invalid (exit 1)", () => {
    const l = single[0]!
    const bad = l.output.slice()
    bad[400]! ^= 0x10
    const r = run(["crypto", "vdf", "verify", bytesToHex(l.challenge), String(l.difficulty), bytesToHex(bad)])
    expect(r.code).toBe(1)
    expect(r.out.trim()).toBe("invalid")
  }, 30_000)

  test("bad arguments: reason on stderr, exit 2", () => {
    const cases: ReadonlyArray<ReadonlyArray<string>> = [
      ["crypto", "vdf"],
      ["crypto", "vdf", "solve", "aa", "10"],
      ["crypto", "vdf", "prove", "zz", "10"],
      ["crypto", "vdf", "prove", "aa", "-3"],
      ["crypto", "vdf", "prove", "aa", "99999999999"],
      ["crypto", "vdf", "verify", "aa", "10"],
      ["crypto", "vdf", "verify", "aa", "10", "00ff"],
      ["crypto", "poseidon"],
      ["crypto", "poseidon", "xyz"],
      ["crypto", "poseidon", ""],
    ]
    for (const args of cases) {
      const r = run(args)
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.err).toContain("error:")
    }
  }, 30_000)

  test("QUILBUN_NATIVE_LIB=/nonexistent: TS fallback verifies, warns once, proves the same bytes", () => {
    const l = single.find((x) => x.difficulty === 100)!
    const verified = run(["crypto", "vdf", "verify", bytesToHex(l.challenge), String(l.difficulty), bytesToHex(l.output)], FALLBACK)
    expect(verified.code).toBe(0)
    expect(verified.out.trim()).toBe("valid")
    expect(verified.err.match(/TypeScript BigInt implementation/g)?.length).toBe(1)
    const proved = run(["crypto", "vdf", "prove", "0102", "50"], FALLBACK)
    const nativeOrDefault = run(["crypto", "vdf", "prove", "0102", "50"])
    expect(proved.code).toBe(0)
    expect(proved.out.trim().length).toBe(1032)
    expect(proved.out).toBe(nativeOrDefault.out)
  }, 60_000)
})

describe("cli crypto poseidon", () => {
  test("prints the 32-byte HashBytes as hex (mainnet type-hash vector)", () => {
    const input = "ff".repeat(32) + bytesToHex(utf8ToBytes("prover:Prover"))
    const r = run(["crypto", "poseidon", input])
    expect(r.code).toBe(0)
    expect(r.out.trim()).toBe("2799018a52e2a068998ed0cdad60e86012f32b8df0d305999f5367e1098bdaec")
  })
})
