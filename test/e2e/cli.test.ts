import { describe, expect, test } from "bun:test"
import { join } from "node:path"

const cli = join(import.meta.dir, "..", "..", "runtime", "cli", "main.ts")
const run = (...args: string[]) => {
  const p = Bun.spawnSync([process.execPath, cli, ...args], { stdout: "pipe", stderr: "pipe" })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}

describe("cli dispatcher", () => {
  test("no command: usage and exit 2", () => {
    const r = run()
    expect(r.code).toBe(2)
    expect(r.err).toContain("missing command")
    expect(r.err).toContain("usage: bun run cli <command>  (commands: node, prover, crypto, hypergraph, token)")
  })
  test("unknown command: reason and exit 2", () => {
    const r = run("no-such-group", "x")
    expect(r.code).toBe(2)
    expect(r.err).toContain("unknown command: no-such-group")
  })
  test("path traversal in a command name is not resolved", () => {
    const r = run("..", "main")
    expect(r.code).toBe(2)
  })
})

describe("cli help", () => {
  test("--help lists every group and command with its description, exit 0, no ANSI styles", () => {
    const r = run("--help")
    expect(r.code).toBe(0)
    expect(r.out).toContain("Command-line client for a quilbun node")
    for (const line of ["node info [--json] [--api text] [--data-dir text]", "poseidon <hex>", "kzg commit <poly-size> <data-hex>"]) {
      expect(r.out).toContain(line)
    }
    // Three levels deep, each name once (patches/@effect%2Fcli: the library repeated the outer ones).
    expect(r.out).toContain("  - crypto vdf prove <challenge-hex> <iterations>")
    expect(r.out).not.toContain("crypto crypto")
    expect(r.out).toContain("Ask a running node through its admin API.")
    expect(r.out).not.toContain("\u001b[")
  })
  test("<group> --help: the group's description and its commands", () => {
    const r = run("crypto", "bls", "--help")
    expect(r.code).toBe(0)
    expect(r.out).toContain("BLS48-581 keys and signatures.")
    expect(r.out).toContain("verify <pk-hex> <domain-utf8> <msg-hex> <sig-hex>")
    expect(r.out).toContain("Check a signature: prints valid (exit 0) or invalid (exit 1).")
  })
  test("<group> <command> --help: arguments and options with their descriptions", () => {
    const vdf = run("crypto", "vdf", "prove", "--help")
    expect(vdf.code).toBe(0)
    expect(vdf.out).toContain("ARGUMENTS")
    expect(vdf.out).toContain("<iterations>")
    expect(vdf.out).toContain("Squarings, an integer in [0, 2^32).")
    const node = run("node", "workers", "--help")
    expect(node.code).toBe(0)
    expect(node.out).toContain("OPTIONS")
    expect(node.out).toContain("--api text")
    expect(node.out).toContain("The node's admin API, http://host:port")
  })
})

describe("cli bad arguments: exit 2 with error and usage on stderr", () => {
  const cases: ReadonlyArray<{ args: ReadonlyArray<string>; error: string; usage: string }> = [
    { args: ["node", "bogus"], error: "unknown command: node bogus", usage: "usage: bun run cli node <command>  (commands: info, workers, actors, status)" },
    { args: ["crypto", "vdf"], error: "missing command", usage: "usage: bun run cli crypto vdf <command>  (commands: prove, verify)" },
    { args: ["crypto", "poseidon"], error: "Missing argument <hex>", usage: "usage: bun run cli crypto poseidon <hex>" },
    { args: ["crypto", "poseidon", "aa", "bb"], error: "bb", usage: "usage: bun run cli crypto poseidon <hex>" },
    { args: ["node", "info", "--nope"], error: "--nope", usage: "usage: bun run cli node info [--json]" },
    { args: ["node", "info", "--api"], error: "error:", usage: "usage: bun run cli node info" },
    { args: ["crypto", "kzg", "commit", "15", "00"], error: "poly-size must be one of", usage: "usage: bun run cli crypto kzg commit <poly-size> <data-hex>" },
  ]
  for (const { args, error, usage } of cases) {
    test(args.join(" "), () => {
      const r = run(...args)
      expect(r.code).toBe(2)
      expect(r.out).toBe("")
      expect(r.err).toStartWith("error: ")
      expect(r.err).toContain(error)
      expect(r.err).toContain(usage)
    })
  }
})
