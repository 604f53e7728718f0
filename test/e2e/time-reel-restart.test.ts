// The global time reel and consensus agree after any restart: `bun run node` (single-prover devnet)
// is killed with SIGKILL at random points of its commit loop, several times, and started again on the
// same data dir; each time the reel's head reaches the consensus head, and no start logs a genesis
// conflict or a refused frame (before the fix every start offered genesis again, and a kill between
// the consensus commit and the reel insert left the reel behind for good).
import { expect, test } from "bun:test"
import { seededRandom } from "../../runtime/kernel/transport/seeded-random.ts"
import { pollUntil, processFixture } from "./node-process.ts"

const { tempDir, spawn } = processFixture("quilbun-it-reel-")
const dataDir = tempDir()

const gauge = (metrics: string, name: string): number | undefined => {
  const line = metrics.split("\n").find((l) => l.startsWith(name))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1))
}

const heads = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text()
  return {
    consensus: gauge(text, "quilbun_consensus_head_frame_number{"),
    reel: gauge(text, 'quilbun_time_reel_head_frame_number{reel="global-time-reel"'),
  }
}

test("kill -9 of the master at random points of the commit loop: after each restart the reel's head reaches consensus's", async () => {
  const rng = seededRandom(Number(process.env.QUILBUN_TEST_SEED ?? 5))
  const args = ["--set", "engine.difficulty=100"]
  for (let round = 0; round < 3; round++) {
    const node = spawn(dataDir, args)
    // The chain must move past where this start found it, and the reel must be on the same head.
    const first = await pollUntil("consensus head metric", 30_000, async () => (await heads(node.url)).consensus)
    const agreed = await pollUntil(`reel and consensus on one head above ${first}`, 20_000, async () => {
      const h = await heads(node.url)
      return h.consensus !== undefined && h.consensus > first && h.reel === h.consensus ? h : undefined
    })
    expect(agreed.reel).toBe(agreed.consensus)
    // Somewhere in the commit loop (frames every few hundred ms at this difficulty).
    await Bun.sleep(rng.int(0, 1_500))
    node.proc.kill("SIGKILL")
    await node.proc.exited
    const log = node.output()
    expect(log).not.toContain("ConflictingGenesis")
    expect(log).not.toContain("time reel refused")
  }
}, 180_000)
