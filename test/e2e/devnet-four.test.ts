// The headline: `bun run devnet --nodes 4` — four real node processes, each signing with native
// BLS48-581 and proving with the native Wesolowski VDF, agree on one chain (identical heads, frame by
// frame). Then every node gets two SIGTERMs 10 ms apart at once, so each one's peers vanish while it
// is already stopping: every node must still exit 0 (the devnet names any other code) with no
// AbortError or unhandled error in its log. Before that, the devnet's money: each node's wallet account
// is credited with 1,000 QUIL by the launcher, and a node's own CLI reads exactly that balance.
// One worker per node and the devnet difficulty keep this to 5 processes' worth on a 2-core machine.
import { afterAll, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Head, type RunningDevnet, spawnDevnet, stopAllAfter } from "./devnet-process.ts"
import { getJson, pollUntil, repoRoot } from "./node-process.ts"

const NODES = 4

const base = mkdtempSync(join(tmpdir(), "quilbun-it-devnet4-"))
const devnets: Array<RunningDevnet> = []
afterAll(async () => {
  await stopAllAfter(devnets)
  rmSync(base, { recursive: true, force: true })
})

test("4 processes on native BLS48-581 and VDF reach identical heads; a double SIGTERM to all of them at once stops each cleanly", async () => {
  const devnet = spawnDevnet(NODES, base, ["--set", "engine.difficulty=100"], [], { credit: true })
  devnets.push(devnet)
  const lines = await devnet.ready(90_000)
  expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3])

  // The crypto is the native library's (BLS48-581 and the VDF prover live in it): every master has it mapped.
  const pids = await Promise.all(lines.map(async (l) => (await getJson<{ pid: number }>(`${l.api}/v1/node`)).pid))
  for (const pid of pids) expect(readFileSync(`/proc/${pid}/maps`, "utf8")).toContain("libquilcrypto")

  // Every head moves 3 frames past where the fastest one was, along one chain.
  const first = Math.max(...(await devnet.heads()).map((h) => h.frameNumber))
  const target = first + 3
  const reached = await pollUntil(`every head ≥ ${target}`, 90_000, async () => {
    const hs = await devnet.heads()
    return hs.every((h) => h.frameNumber >= target) ? hs : undefined
  })
  const common = Math.min(...reached.map((h) => h.frameNumber))
  for (let n = 1; n <= common; n++) {
    const frames = await Promise.all(lines.map((l) => getJson<Head>(`${l.api}/v1/frames/global/${n}`)))
    expect(new Set(frames.map((f) => f.selector)).size).toBe(1)
  }
  // Identical heads: at one frame number every node holds the same head frame.
  const atCommon = await Promise.all(lines.map((l) => getJson<Head>(`${l.api}/v1/frames/global/${common}`)))
  expect(new Set(atCommon.map((f) => `${f.frameNumber}:${f.rank}:${f.selector}`)).size).toBe(1)

  // Every node credited once, and node 1's wallet (keys in its data dir) holds exactly the credit.
  const credited = await pollUntil("a credit line per node", 180_000, async () => {
    const { out, err } = devnet.output()
    if (err.includes("the devnet credit failed")) throw new Error(err)
    const ls = out.split("\n").filter((l) => /^node \d credited 1000 QUIL: Account: 0x[0-9a-f]{224}$/.test(l))
    return ls.length === NODES ? ls : undefined
  })
  expect(new Set(credited.map((l) => l.slice(l.indexOf("Account")))).size).toBe(NODES)
  const balance = Bun.spawnSync({
    cmd: [process.execPath, join(repoRoot, "runtime/cli/main.ts"), "token", "balance"],
    cwd: repoRoot,
    env: { ...process.env, QUILBUN_DATA_DIR: join(base, "node-1"), QUILBUN_WALLET_DIR: undefined },
  })
  const account = credited.find((l) => l.startsWith("node 1 "))?.split("Account: ")[1]
  expect(balance.stdout.toString().split("\n")[0]).toBe(`Total balance: 1000.000000000000 QUIL (Account ${account})`)

  // Two SIGTERMs 10 ms apart to every node at once: all peers vanish during everyone's shutdown.
  for (const pid of pids) process.kill(pid, "SIGTERM")
  await Bun.sleep(10)
  for (const pid of pids) process.kill(pid, "SIGTERM")

  // The devnet reports each node's exit code when it stops (a node that already exited is not re-signalled).
  expect(await devnet.stop()).toBe(0)
  const err = devnet.output().err
  expect(err).toContain("devnet: stopped")
  // A node that exited non-zero: the failure carries the end of its log (its last stderr line says why).
  const failed = [...err.matchAll(/node (\d+) stopped with code/g)].map((m) => Number(m[1]))
  if (failed.length > 0)
    throw new Error(
      `${err}\n${failed
        .map(
          (i) =>
            `node-${i}/node.log ends:\n${readFileSync(join(base, `node-${i}`, "node.log"), "utf8")
              .split("\n")
              .slice(-25)
              .join("\n")}`,
        )
        .join("\n")}`,
    )
  for (let i = 0; i < NODES; i++) {
    const log = readFileSync(join(base, `node-${i}`, "node.log"), "utf8")
    // (the second SIGTERM may merge with the first before the handler runs, so its notice is not required)
    expect(log).toContain("stop requested")
    expect(log).toContain("node stopped")
    expect({ node: i, abort: log.includes("AbortError"), unhandled: /unhandled/i.test(log) }).toEqual({ node: i, abort: false, unhandled: false })
  }
}, 240_000)
