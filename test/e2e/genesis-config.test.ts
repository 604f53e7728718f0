// `engine.genesisProvers` is checked before the node writes anything: a key of the wrong shape or one
// that is not a BLS48-581 point exits 2 with one line naming the entry.
import { afterAll, expect, test } from "bun:test"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { mainEntry, repoRoot } from "./node-process.ts"

const base = mkdtempSync(join(tmpdir(), "quilbun-it-genesis-"))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const run = async (genesis: string) => {
  const dataDir = join(base, `d-${genesis.length}-${genesis.slice(0, 2)}`)
  const proc = Bun.spawn({
    cmd: [process.execPath, mainEntry, "--data-dir", dataDir, "--workers", "1"],
    cwd: repoRoot,
    env: { ...process.env, QUILBUN_ENGINE_GENESIS_PROVERS: genesis },
    stdout: "pipe",
    stderr: "pipe",
  })
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  return { code, stderr, dataDir }
}

test("a malformed genesis key: exit 2, one line, no files written", async () => {
  const r = await run("abcd")
  expect(r.code).toBe(2)
  expect(r.stderr).toContain("engine.genesisProvers[0]")
  expect(r.stderr.trim().split("\n")).toHaveLength(1)
  expect(existsSync(r.dataDir)).toBe(false)
}, 10_000)

test("a well-formed key that is not a BLS48-581 point: exit 2, one line, no files written", async () => {
  const r = await run("ab".repeat(585))
  expect(r.code).toBe(2)
  expect(r.stderr).toContain("engine.genesisProvers[0]")
  expect(r.stderr).toContain("not a BLS48-581 public key")
  expect(r.stderr.trim().split("\n")).toHaveLength(1)
  expect(existsSync(r.dataDir)).toBe(false)
}, 10_000)
