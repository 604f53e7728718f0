// Over-wide permissions (issue 12, item 7), against the real `bun run node` process: a data dir
// wider than 0700 and key files or api.token wider than 0600 are narrowed at start, with one
// warning per path naming the old and new mode; files already private are left alone.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureKeys } from "../../config/index.ts"
import { ANY_PORT, logLines, spawnNode, waitHealthy, type RunningNode } from "./node-process.ts"

const dataDir = mkdtempSync(join(tmpdir(), "quilbun-perms-"))
const spawned: Array<RunningNode> = []
afterAll(() => {
  for (const n of spawned) n.proc.kill("SIGKILL")
  rmSync(dataDir, { recursive: true, force: true })
})

const mode = (path: string) => statSync(path).mode & 0o7777

describe("permissions (real process)", () => {
  test("a 1777 data dir, a 0644 key and a 0666 token are narrowed to 0700/0600 with a warning each", async () => {
    Effect.runSync(ensureKeys(dataDir))
    const peerKey = join(dataDir, "keys", "peer.key")
    const token = join(dataDir, "api.token")
    chmodSync(dataDir, 0o1777)
    chmodSync(peerKey, 0o644)
    chmodSync(token, 0o666)

    const node = spawnNode(dataDir, ANY_PORT, ["--workers", "1"])
    spawned.push(node)
    await waitHealthy(node)
    expect(mode(dataDir)).toBe(0o700)
    expect(mode(peerKey)).toBe(0o600)
    expect(mode(token)).toBe(0o600)
    expect(mode(join(dataDir, "keys", "prover.key"))).toBe(0o600)

    const fixes = logLines(node.output())
      .filter((l) => l.message === "permissions wider than allowed; narrowed")
      .map((l) => ({ level: l.level, path: l.path, oldMode: l.oldMode, newMode: l.newMode }))
    expect(fixes).toEqual([
      { level: "warn", path: dataDir, oldMode: "1777", newMode: "0700" },
      { level: "warn", path: peerKey, oldMode: "0644", newMode: "0600" },
      { level: "warn", path: token, oldMode: "0666", newMode: "0600" },
    ])
    node.proc.kill("SIGTERM")
    expect(await node.proc.exited).toBe(0)
  }, 30_000)
})
