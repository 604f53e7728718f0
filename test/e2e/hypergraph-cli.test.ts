// `bun runtime/cli/main.ts hypergraph …`: the intrinsic's group mounted through runtime/cli/groups.ts.
// Writes run with --dry-run (there is no submit route yet) and print the bundle; the instance
// address uses the native KZG commitment, so deploy exercises the real crypto binding.
import { describe, expect, test } from "bun:test"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const cli = join(import.meta.dir, "..", "..", "runtime", "cli", "main.ts")
const run = (...args: string[]) => {
  const p = Bun.spawnSync([process.execPath, cli, ...args], { stdout: "pipe", stderr: "pipe" })
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
  })

  test("without --dry-run a write fails (exit 1): submission arrives with app shards", () => {
    const r = run("hypergraph", "put", "vertex", "name=alice", "-d", domain, "--signing-key", key)
    expect(r.code).toBe(1)
    expect(r.err).toContain("submission arrives with app shards")
  })

  test("bad arguments are usage errors (exit 2)", () => {
    const r = run("hypergraph", "put", "vertex", "name", "-d", domain, "--signing-key", key, "--dry-run")
    expect(r.code).toBe(2)
    expect(r.err).toContain("expected key=value")
    expect(run("hypergraph", "remove", "vertex", "00", "-d", domain, "--signing-key", key, "--dry-run").code).toBe(2)
    expect(run("hypergraph", "remove", "vertex", `${"cd".repeat(32)}${"01".repeat(32)}`, "-d", domain, "--signing-key", key, "--dry-run").err).toContain(
      "not in --domain",
    )
  })
})
