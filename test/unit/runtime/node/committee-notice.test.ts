// A devnet data dir (chain.json with a multi-prover committee) started without engine.genesisProvers
// gets one warning naming the committee file and the fix; a single-node chain or a configured
// committee gets none.
import { afterEach, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { checkChainAtBoot } from "../../../../runtime/node/chain-guard.ts"
import { type ChainMarker, writeChainMarker } from "../../../../runtime/node/chain-marker.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const dataDirWithChain = (committee: ReadonlyArray<string>): string => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-committee-"))
  dirs.push(dir)
  mkdirSync(join(dir, "master"))
  writeFileSync(join(dir, "master", "data.mdb"), "x") // present and non-empty: the boot check opens nothing
  const marker: ChainMarker = {
    version: 1,
    network: 99,
    genesis: { selector: "ab".repeat(32), committee },
    firstFrame: { frameNumber: 1, selector: "cd".repeat(32) },
    head: 12,
    updatedAt: new Date(0).toISOString(),
  }
  Effect.runSync(writeChainMarker(dir, marker))
  return dir
}

test("a committee chain started without engine.genesisProvers: one warning with the fix", () => {
  const dir = dataDirWithChain(["aa", "bb", "cc"])
  const check = Effect.runSync(checkChainAtBoot(dir, false, undefined))
  expect(check.hasChain).toBe(true)
  expect(check.notices).toHaveLength(1)
  const notice = check.notices[0] ?? ""
  expect(notice).toContain("genesis committee of 3 provers")
  expect(notice).toContain(join(dir, "chain.json"))
  expect(notice).toContain("standalone single-prover devnet with no p2p host")
  expect(notice).toContain("QUILBUN_ENGINE_GENESIS_PROVERS=")
  expect(Effect.runSync(checkChainAtBoot(dir, false, [])).notices).toHaveLength(1)
})

test("no warning with the committee configured, or for a single-node chain", () => {
  expect(Effect.runSync(checkChainAtBoot(dataDirWithChain(["aa", "bb", "cc"]), false, ["aa", "bb", "cc"])).notices).toEqual([])
  expect(Effect.runSync(checkChainAtBoot(dataDirWithChain(["aa"]), false, undefined)).notices).toEqual([])
})
