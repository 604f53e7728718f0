// `bun run cli crypto bls ...` and `crypto kzg commit`: hex in, hex out, exit codes 0/1/2,
// checked against the reference vectors.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { vectorsDir } from "../../vectors/index.ts"

const cli = join(import.meta.dir, "..", "..", "..", "runtime", "cli", "main.ts")
const DIR = vectorsDir
const lines = readFileSync(`${DIR}/bls48581_sign_kzg.jsonl`, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Record<string, string | number>)
const [a, b, agg, kzgLine] = lines as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string | number>]

const run = (...args: Array<string>): { code: number; out: Array<string>; err: string } => {
  const p = Bun.spawnSync([process.execPath, cli, "crypto", ...args], { stdout: "pipe", stderr: "pipe" })
  return { code: p.exitCode ?? -1, out: p.stdout.toString().trim().split("\n"), err: p.stderr.toString() }
}
const domain = new TextDecoder().decode(hexToBytes(a.domain ?? ""))

test("keygen prints the secret key then the public key", () => {
  const r = run("bls", "keygen", a.ikm ?? "")
  expect(r.code).toBe(0)
  expect(r.out).toEqual([a.sk ?? "", a.pk ?? ""])
}, 20_000)

test("sign, verify valid / invalid", () => {
  const s = run("bls", "sign", a.sk ?? "", domain, a.msg ?? "")
  expect(s.code).toBe(0)
  expect(s.out).toEqual([a.sig ?? ""])
  const ok = run("bls", "verify", a.pk ?? "", domain, a.msg ?? "", a.sig ?? "")
  expect([ok.code, ok.out[0]]).toEqual([0, "valid"])
  const wrongKey = run("bls", "verify", b.pk ?? "", domain, a.msg ?? "", a.sig ?? "")
  expect([wrongKey.code, wrongKey.out[0]]).toEqual([1, "invalid"])
  const wrongDomain = run("bls", "verify", a.pk ?? "", "appshard", a.msg ?? "", a.sig ?? "")
  expect([wrongDomain.code, wrongDomain.out[0]]).toEqual([1, "invalid"])
  const notAPoint = run("bls", "verify", a.pk ?? "", domain, a.msg ?? "", "04" + (a.sig ?? "").slice(2))
  expect([notAPoint.code, notAPoint.out[0]]).toEqual([1, "invalid"])
}, 20_000)

test("aggregate prints the aggregate key then signature", () => {
  const r = run("bls", "aggregate", `${a.pk},${b.pk}`, `${a.sig},${b.sig}`)
  expect(r.code).toBe(0)
  expect(r.out).toEqual([agg.aggregate_pk ?? "", agg.aggregate_sig ?? ""])
}, 20_000)

test("kzg commit matches the poly-size-16 vector", () => {
  const data = bytesToHex(Uint8Array.from({ length: 1024 }, (_, i) => (i % 64 < 2 ? 0 : i % 251)))
  const r = run("kzg", "commit", String(kzgLine.kzg_poly_size), data)
  expect(r.code).toBe(0)
  expect(r.out).toEqual([String(kzgLine.commit)])
}, 20_000)

test("bad arguments exit 2 with a reason", () => {
  for (const args of [
    ["bls"],
    ["bls", "keygen", "zz"],
    ["bls", "sign", "00", "global", "00"],
    ["bls", "verify", a.pk ?? "", "global", "00"],
    ["bls", "verify", "00", "global", "00", a.sig ?? ""],
    ["bls", "aggregate", a.pk ?? "", `${a.sig},${b.sig}`],
    ["kzg", "commit", "15", "00"],
    ["kzg", "commit", "16", "00".repeat(16 * 64 + 1)],
  ]) {
    const r = run(...args)
    expect(r.code).toBe(2)
    expect(r.err).toContain("error:")
  }
}, 30_000)
