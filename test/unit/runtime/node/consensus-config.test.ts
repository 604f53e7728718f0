// The node's consensus parameters: devnet timing, and a devnet default difficulty when
// engine.difficulty is unset (so `bun run node` on defaults paces frames at ≈ 1 s, not as fast as it can).
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { devnetTiming, participantTiming } from "../../../../actors/consensus/global/config.ts"
import { loadConfig } from "../../../../config/index.ts"
import { DEVNET_DEFAULT_DIFFICULTY, nodeConsensusConfig } from "../../../../runtime/node/consensus.ts"

const configWith = (...flags: ReadonlyArray<string>) =>
  Effect.runPromise(loadConfig({ argv: ["--data-dir", join(tmpdir(), "quilbun-no-such-dir"), ...flags], env: {}, cores: 2, cwd: tmpdir() }))

describe("nodeConsensusConfig", () => {
  test("defaults: devnet timing and the devnet default difficulty", async () => {
    const c = nodeConsensusConfig(await configWith())
    expect(c.network).toBe(99)
    expect(c.timing).toEqual(devnetTiming)
    expect(c.genesisDifficulty).toBe(DEVNET_DEFAULT_DIFFICULTY)
    expect(c.difficulty?.(5n, 1_800_000_000_000n)).toBe(DEVNET_DEFAULT_DIFFICULTY)
  })

  test("engine.difficulty overrides the default", async () => {
    const c = nodeConsensusConfig(await configWith("--set", "engine.difficulty=1234"))
    expect(c.genesisDifficulty).toBe(1234)
    expect(c.difficulty?.(9n, 1_800_000_000_000n)).toBe(1234)
  })

  test("a non-devnet engine keeps the protocol difficulty and participant timing", async () => {
    const c = nodeConsensusConfig(await configWith("--set", "engine.devnet=false"))
    expect(c.timing).toEqual(participantTiming)
    expect(c.genesisDifficulty).not.toBe(DEVNET_DEFAULT_DIFFICULTY)
  })
})
