// engine.autoJoin's plan (runtime/node/auto-join.ts): join what the prover holds no live allocation on,
// confirm joins inside their window, repeat nothing while it may still be carried, nothing when kicked.
import { expect, test } from "bun:test"
import { Effect } from "effect"
import { loadConfig } from "../../../../config/index.ts"
import { DEVNET_LIFECYCLE } from "../../../../intrinsics/global/index.ts"
import type { ProverView } from "../../../../runtime/api/backend.ts"
import { planAutoJoin } from "../../../../runtime/node/auto-join.ts"

const A = "aa".repeat(32)
const B = "bb".repeat(32)

const prover = (status: string, allocations: ReadonlyArray<[string, string, number]>): ProverView => ({
  address: "11".repeat(32),
  status,
  seniority: "0",
  ring: null,
  delegate: "11".repeat(32),
  reward: "0",
  rewardQuil: "0.000000000000",
  allocations: allocations.map(([filter, s, joinedAt]) => ({
    filter,
    status: s,
    ring: null,
    joinFrameNumber: String(joinedAt),
    since: String(joinedAt),
    lastActiveFrameNumber: "0",
  })),
})

test("unknown prover: one join for every wanted filter; not again within joinMaxAge + 2 frames, then again", () => {
  expect(planAutoJoin([A, B], undefined, 30, DEVNET_LIFECYCLE, new Map())).toEqual([{ operation: "join", filters: [A, B] }])
  const submitted = new Map([
    [`join:${A}`, 30],
    [`join:${B}`, 30],
  ])
  expect(planAutoJoin([A, B], undefined, 42, DEVNET_LIFECYCLE, submitted)).toEqual([])
  expect(planAutoJoin([A, B], undefined, 43, DEVNET_LIFECYCLE, submitted)).toEqual([{ operation: "join", filters: [A, B] }])
})

test("a join is confirmed from the frame the confirm delay allows to the end of its window, then joined again; active, paused and leaving are left alone", () => {
  const joining = prover("Joining", [[A, "Joining", 30]])
  // The next frame (head + 1) must be at least join + 10.
  expect(planAutoJoin([A], joining, 38, DEVNET_LIFECYCLE, new Map())).toEqual([])
  expect(planAutoJoin([A], joining, 39, DEVNET_LIFECYCLE, new Map())).toEqual([{ operation: "confirm", filters: [A] }])
  expect(planAutoJoin([A], joining, 49, DEVNET_LIFECYCLE, new Map())).toEqual([{ operation: "confirm", filters: [A] }])
  // Past the 20-frame window the join has expired: join again.
  expect(planAutoJoin([A], joining, 50, DEVNET_LIFECYCLE, new Map())).toEqual([{ operation: "join", filters: [A] }])
  for (const s of ["Active", "Paused", "Leaving"]) expect(planAutoJoin([A], prover(s, [[A, s, 30]]), 90, DEVNET_LIFECYCLE, new Map())).toEqual([])
  // Left (status 4): join again; a kicked prover never.
  expect(
    planAutoJoin(
      [A, B],
      prover("Active", [
        [A, "Rejected", 30],
        [B, "Active", 30],
      ]),
      90,
      DEVNET_LIFECYCLE,
      new Map(),
    ),
  ).toEqual([{ operation: "join", filters: [A] }])
  expect(planAutoJoin([A], prover("Kicked", [[A, "Rejected", 30]]), 90, DEVNET_LIFECYCLE, new Map())).toEqual([])
})

test("engine.autoJoin: hex shard filters from the environment; malformed or repeated ones fail the config", async () => {
  const load = (value: string) =>
    Effect.runPromise(
      Effect.either(loadConfig({ argv: ["--data-dir", "/tmp/quilbun-auto-join-test"], env: { QUILBUN_ENGINE_AUTO_JOIN: value }, cores: 2, cwd: "/tmp" })),
    )
  const ok = await load(`${A},${B}`)
  expect(ok._tag === "Right" && ok.right.engine.autoJoin).toEqual([A, B])
  for (const bad of ["12", `${A},${A.toUpperCase()}`, "zz".repeat(32)]) expect((await load(bad))._tag).toBe("Left")
})
