import { expect, test } from "bun:test"
import { passed, summaryLine } from "../../../../../runtime/cli/soak/summary.ts"

const clean = { minutes: 3, seed: 42, kills: 5, stalls: 2, frames: 80, submitted: 150, committed: 140, lost: 0, duplicated: 0, forks: 0, orphans: 0 }

test("the summary line has every field, in order", () => {
  expect(summaryLine(clean)).toBe("soak minutes=3 seed=42 kills=5 stalls=2 frames=80 submitted=150 committed=140 lost=0 duplicated=0 forks=0 orphans=0")
})

test("any loss, duplicate, fork or orphan fails the run", () => {
  expect(passed(clean)).toBe(true)
  for (const field of ["lost", "duplicated", "forks", "orphans"] as const) expect(passed({ ...clean, [field]: 1 })).toBe(false)
})
