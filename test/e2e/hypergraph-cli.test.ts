// `bun runtime/cli/main.ts hypergraph …`: the intrinsic's group mounted through runtime/cli/groups.ts.
// Writes run with --dry-run and print the bundle (submitting to a node: test/e2e/bundles-node.test.ts);
// the instance address uses the native KZG commitment, so deploy exercises the real crypto binding.
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeBls } from "../../crates/ts/bls/bls.ts"
import { hypergraphUpdate, updateSignatureDomain } from "../../intrinsics/hypergraph/ops/update.ts"

const cli = join(import.meta.dir, "..", "..", "runtime", "cli", "main.ts")
// No node: an empty data dir and an API address nothing listens on (never a node another test runs).
const noNode = { ...process.env, QUILBUN_DATA_DIR: mkdtempSync(join(tmpdir(), "quilbun-no-node-")), QUILBUN_API_LISTEN: "127.0.0.1:1" }
const run = (...args: string[]) => {
  const p = Bun.spawnSync([process.execPath, cli, ...args], { stdout: "pipe", stderr: "pipe", env: noNode })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}

const key = "11".repeat(57)
const domain = "ab".repeat(32)
const schemaFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-hypergraph-"))
  const path = join(dir, "schema.rdf")
  writeFileSync(
    path,
    `@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix qcl: <https://types.quilibrium.com/qcl/> .
@prefix note: <https://example.org/note/> .
note:Note a rdfs:Class .
note:Title a rdfs:Property ; rdfs:domain note:Note ; rdfs:range qcl:String ; qcl:order 0 ; qcl:size 64 .
`,
  )
  return path
}

describe("hypergraph CLI", () => {
  test("deploy --dry-run prints the instance domain and a MessageBundle; the same inputs give the same domain", () => {
    const path = schemaFile()
    const a = run("hypergraph", "deploy", `read_public_key=${key}`, `write_public_key=${key}`, path, "--dry-run")
    expect(a.code).toBe(0)
    const lines = a.out.trim().split("\n")
    expect(lines[0]).toBe("Dry run: not submitted")
    expect(lines[1]).toMatch(/^ {2}Domain: 0x[0-9a-f]{64}$/)
    expect(lines[2]).toMatch(/^Bundle: 00000312000000010000[0-9a-f]{4}00000311[0-9a-f]{8}00000402/)
    const b = run("hypergraph", "deploy", `read_public_key=${key}`, `write_public_key=${key}`, path, "--dry-run")
    expect(b.out.split("\n")[1]).toBe(lines[1])
  })

  test("put vertex --dry-run prints the full address (domain ‖ SHA3-256 of the pairs) and a plaintext VertexAdd (0x0480)", () => {
    const r = run("hypergraph", "put", "vertex", "name=alice", "-d", domain, "--signing-key", key, "--dry-run")
    expect(r.code).toBe(0)
    const [, address, bundle] = r.out.trim().split("\n")
    expect(address).toMatch(new RegExp(`^Full address: ${domain}[0-9a-f]{64}$`))
    expect(bundle).toContain(`00000480${domain}`)
  })

  test("put hyperedge, remove vertex and remove hyperedge build under --dry-run", () => {
    const id = `${domain}${"01".repeat(32)}`
    expect(run("hypergraph", "put", "hyperedge", `${id},${domain}${"02".repeat(32)}`, "-d", domain, "--signing-key", key, "--dry-run").out).toContain(
      `00000406${domain}`,
    )
    const rv = run("hypergraph", "remove", "vertex", id, "-d", domain, "--signing-key", key, "--dry-run")
    expect(rv.out).toContain(`Address: ${id}`)
    expect(rv.out).toContain(`00000405${domain}`)
    expect(run("hypergraph", "remove", "hyperedge", id, "-d", domain, "--signing-key", key, "--dry-run").out).toContain(`00000407${domain}`)
  }, 20_000)

  test("without --dry-run a write is submitted: with no node to take it, it fails (exit 1)", () => {
    const r = run("hypergraph", "put", "vertex", "name=alice", "-d", domain, "--signing-key", key, "--no-wait")
    expect(r.code).toBe(1)
    expect(r.err).toContain("cannot reach the node at http://127.0.0.1:1")
  })

  test("update --dry-run: a HypergraphUpdate (0x0403) signed by the owner key (BLS48-581), stable across runs", () => {
    const [secretKey, publicKey] = run("crypto", "bls", "keygen", "07".repeat(32)).out.trim().split("\n")
    const keyFile = join(mkdtempSync(join(tmpdir(), "quilbun-owner-")), "owner.key")
    writeFileSync(keyFile, `${secretKey}\n`)
    const path = schemaFile()
    const update = (owner: string) =>
      run("hypergraph", "update", "-d", domain, `read_public_key=${key}`, `write_public_key=${key}`, path, "--owner-key", owner, "--dry-run")
    const a = update(secretKey ?? "")
    expect(a.code).toBe(0)
    const [dry, domainLine, bundleLine] = a.out.trim().split("\n")
    expect(dry).toBe("Dry run: not submitted")
    expect(domainLine).toBe(`  Domain: 0x${domain}`)
    // MessageBundle: prefix, count 1, one length-prefixed MessageRequest (0x0311, length, op), 8-byte timestamp.
    const bundle = Buffer.from((bundleLine ?? "").replace(/^Bundle: /, ""), "hex")
    expect(bundle.readUInt32BE(0)).toBe(0x0312)
    expect(bundle.readUInt32BE(4)).toBe(1)
    const requestLength = bundle.readUInt32BE(8)
    expect(bundle.length).toBe(12 + requestLength + 8)
    expect(bundle.readUInt32BE(12)).toBe(0x0311)
    const op = new Uint8Array(bundle.subarray(20, 20 + bundle.readUInt32BE(16)))
    expect(Either.isRight(hypergraphUpdate.decode(op))).toBe(true)
    expect(Buffer.from(op.subarray(0, 36)).toString("hex")).toBe(`00000403${domain}`)
    expect(new TextDecoder().decode(op)).toContain("note:Note a rdfs:Class")
    // The owner signs the canonical update with an empty signature: everything before `u32 74 ‖ signature`, then `u32 0`.
    const signature = op.slice(-74)
    expect(Buffer.from(op.subarray(-78, -74)).readUInt32BE(0)).toBe(74)
    const message = new Uint8Array([...op.subarray(0, -78), 0, 0, 0, 0])
    const bls = Effect.runSync(makeBls())
    const ownerPublicKey = Buffer.from(publicKey ?? "", "hex")
    expect(Effect.runSync(bls.verify(ownerPublicKey, signature, updateSignatureDomain(op.slice(4, 36)), message))).toBe(true)
    // The same inputs (the key from a file this time) give the same operation; only the bundle's timestamp moves.
    const b = update(keyFile)
    expect(b.code).toBe(0)
    expect(b.out.split("\n")[2]?.slice(0, -16)).toBe(bundleLine?.slice(0, -16))
  }, 20_000)

  test("update: without --dry-run it fails (exit 1); without a config or schema, or with a bad owner key, it is a usage error", () => {
    const owner = "05".repeat(73)
    const r = run("hypergraph", "update", "-d", domain, schemaFile(), "--owner-key", owner)
    expect(r.code).toBe(1)
    expect(r.err).toContain("cannot reach the node")
    expect(run("hypergraph", "update", "-d", domain, "--owner-key", owner, "--dry-run").code).toBe(2)
    const bad = run("hypergraph", "update", "-d", domain, schemaFile(), "--owner-key", "0011", "--dry-run")
    expect(bad.code).toBe(2)
    expect(bad.err).toContain("--owner-key")
  }, 20_000)

  test("bad arguments are usage errors (exit 2)", () => {
    const r = run("hypergraph", "put", "vertex", "name", "-d", domain, "--signing-key", key, "--dry-run")
    expect(r.code).toBe(2)
    expect(r.err).toContain("expected key=value")
    expect(run("hypergraph", "remove", "vertex", "00", "-d", domain, "--signing-key", key, "--dry-run").code).toBe(2)
    expect(run("hypergraph", "remove", "vertex", `${"cd".repeat(32)}${"01".repeat(32)}`, "-d", domain, "--signing-key", key, "--dry-run").err).toContain(
      "not in --domain",
    )
  }, 20_000)
})
