import { describe, expect, test } from "bun:test"
import { join } from "node:path"

const cli = join(import.meta.dir, "..", "runtime", "cli", "main.ts")
const run = (...args: string[]) => {
  const p = Bun.spawnSync([process.execPath, cli, ...args], { stdout: "pipe", stderr: "pipe" })
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() }
}

describe("cli dispatcher", () => {
  test("no command: usage and exit 2", () => {
    const r = run()
    expect(r.code).toBe(2)
    expect(r.err).toContain("missing command")
  })
  test("unknown command: reason and exit 2", () => {
    const r = run("no-such-group", "x")
    expect(r.code).toBe(2)
    expect(r.err).toContain("unknown command: no-such-group x")
  })
  test("path traversal in a command name is not resolved", () => {
    const r = run("..", "main")
    expect(r.code).toBe(2)
  })
})
