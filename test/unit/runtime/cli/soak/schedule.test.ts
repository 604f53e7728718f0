import { expect, test } from "bun:test"
import { makePrng } from "../../../../../runtime/cli/soak/prng.ts"
import { describeFault, planSchedule, planWorkerKills } from "../../../../../runtime/cli/soak/schedule.ts"

test("the PRNG is mulberry32 and a function of its seed: a seed printed by an earlier run replays", () => {
  const a = makePrng(1)
  const first = [a.next(), a.next(), a.next()]
  // mulberry32(1)'s well-known first output is 0.6270739405881613; the rest pin the sequence.
  expect(first[0]).toBe(0.6270739405881613)
  expect(first.map((x) => x * 4294967296)).toEqual([2693262067, 11749833, 2265367787])
  const b = makePrng(1)
  expect([b.next(), b.next(), b.next()]).toEqual(first)
  expect(makePrng(2).next()).not.toBe(first[0])
  const r = makePrng(9)
  for (let i = 0; i < 1000; i++) {
    const n = r.int(3, 5)
    expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true)
  }
})

test("the schedule is deterministic given the seed, and differs between seeds", () => {
  const one = planSchedule(20261207, 180_000, 4, 1)
  expect(planSchedule(20261207, 180_000, 4, 1)).toEqual(one)
  expect(planSchedule(20261208, 180_000, 4, 1)).not.toEqual(one)
  expect(one.map((f) => describeFault(f.fault))).toEqual(planSchedule(20261207, 180_000, 4, 1).map((f) => describeFault(f.fault)))
})

test("the schedule fills the duration with faults on existing nodes and workers, with bounded gaps and down times", () => {
  const schedule = planSchedule(7, 30 * 60_000, 4, 2)
  expect(schedule.length).toBeGreaterThan(30)
  const kinds = new Set(schedule.map((f) => f.fault.kind))
  expect([...kinds].sort()).toEqual(["kill-node", "kill-worker", "restart-during-sync", "stall"])
  for (const { gapMs, fault } of schedule) {
    expect(gapMs).toBeGreaterThanOrEqual(3_000)
    expect(gapMs).toBeLessThanOrEqual(12_000)
    expect(fault.node).toBeGreaterThanOrEqual(0)
    expect(fault.node).toBeLessThan(4)
    if (fault.kind === "kill-worker") expect([1, 2]).toContain(fault.core)
    if (fault.kind === "stall") expect(fault.stallMs).toBeLessThanOrEqual(8_000)
    if (fault.kind === "kill-node" || fault.kind === "restart-during-sync") expect(fault.downMs).toBeLessThanOrEqual(5_000)
  }
  // Every node gets faulted over a long run.
  expect(new Set(schedule.map((f) => f.fault.node)).size).toBe(4)
})

test("the worker track is seeded apart from the node faults: kills on existing nodes and cores, 10-25 s apart, filling the duration", () => {
  const plan = planWorkerKills(20261207, 10 * 60_000, 4, 2)
  expect(planWorkerKills(20261207, 10 * 60_000, 4, 2)).toEqual(plan)
  expect(planWorkerKills(1, 10 * 60_000, 4, 2)).not.toEqual(plan)
  // Enough for the bar on its own: 10 minutes give at least 24 planned worker kills.
  expect(plan.length).toBeGreaterThanOrEqual(24)
  expect(plan.reduce((sum, k) => sum + k.gapMs, 0)).toBeGreaterThanOrEqual(10 * 60_000)
  for (const k of plan) {
    expect(k.gapMs).toBeGreaterThanOrEqual(10_000)
    expect(k.gapMs).toBeLessThanOrEqual(25_000)
    expect([0, 1, 2, 3]).toContain(k.node)
    expect([1, 2]).toContain(k.core)
  }
})
