import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { decodeGlobalProposal, type GlobalProposal } from "../../../../../actors/consensus/core/messages/proposals.ts"
import { decodeTimeoutState } from "../../../../../actors/consensus/core/messages/timeout-state.ts"
import { devnetConsensusConfig } from "../../../../../actors/consensus/global/config.ts"
import { proposeRounds, safetyAtPublish, soloEngine } from "./support/global-engine.ts"
import { memoryStore } from "./support/memory-ports.ts"

describe("HotStuff engine (global chain kind, in-memory ports)", () => {
  test("every own proposal leaves only after a safety state covering its rank is durable", async () => {
    const store = memoryStore<GlobalFrame, GlobalProposal>()
    const { engine, log } = soloEngine(store)
    await Effect.runPromise(Effect.zipRight(engine.start(), proposeRounds(engine, log, 4)))
    const published = safetyAtPublish(log)
    expect(published.length).toBeGreaterThanOrEqual(4)
    for (const { payload, safety } of published) {
      const proposal = decodeGlobalProposal(payload)
      if (proposal._tag === "Left") throw new Error("expected proposals only")
      expect(safety?.latestAcknowledgedRank).toBe(proposal.right.state.header.rank)
    }
  })

  test("frames commit on the 2-chain rule and are reported after their commit is durable", async () => {
    const store = memoryStore<GlobalFrame, GlobalProposal>()
    const { engine, log } = soloEngine(store)
    await Effect.runPromise(Effect.zipRight(engine.start(), proposeRounds(engine, log, 5)))
    const status = engine.status()
    expect(status.proposed).toBe(5)
    expect(status.committedHead.frameNumber).toBeGreaterThanOrEqual(3n)
    const committedAt = log.findIndex((e) => e.op === "committed")
    const headWritten = log.findIndex((e) => e.op === "persist" && e.writes.some((w) => w._tag === "Put" && w.record._tag === "Head"))
    expect(headWritten).toBeGreaterThanOrEqual(0)
    expect(committedAt).toBeGreaterThan(headWritten)
  })

  test("a timeout is published after the safety state recording it is durable, and a restart re-broadcasts the same timeout", async () => {
    const store = memoryStore<GlobalFrame, GlobalProposal>()
    // Three provers, two silent: this node's timeout alone is no TC, so the rank stays.
    const first = soloEngine(store, 3)
    await Effect.runPromise(first.engine.start())
    const epoch = first.log.findLast((e) => e.op === "armTimer")
    if (epoch?.op !== "armTimer") throw new Error("no timer armed")
    await Effect.runPromise(first.engine.handleLocalTimeout(epoch.epoch))
    const [sent] = safetyAtPublish(first.log)
    const timeout = sent === undefined ? undefined : decodeTimeoutState(sent.payload)
    if (timeout?._tag !== "Right" || sent === undefined) throw new Error("expected a published timeout")
    expect(sent.safety?.latestTimeout?.vote?.rank).toBe(1n)
    expect(first.engine.status().timeoutsSent).toBe(1)

    // Restarted on the same store: the stored timeout is re-broadcast at once (no new signature).
    const second = soloEngine(store, 3)
    await Effect.runPromise(second.engine.start())
    const timer = second.log.find((e) => e.op === "armTimer")
    expect(timer?.op === "armTimer" ? timer.ms : undefined).toBe(devnetConsensusConfig().timing.timeouts.maxTimeoutStateRebroadcastIntervalMs)
    expect(second.engine.status().currentRank).toBe(1n)
    expect(second.engine.status().latestAcknowledgedRank).toBe(first.engine.status().latestAcknowledgedRank)
    if (timer?.op !== "armTimer") throw new Error("no timer armed")
    await Effect.runPromise(second.engine.handleLocalTimeout(timer.epoch))
    const [again] = safetyAtPublish(second.log)
    const rebroadcast = again === undefined ? undefined : decodeTimeoutState(again.payload)
    if (rebroadcast?._tag !== "Right") throw new Error("expected a re-broadcast timeout")
    // The stored signature again, with the next tick: nothing new was signed for the rank.
    expect(rebroadcast.right.vote?.publicKeySignatureBls48581?.signature).toEqual(timeout.right.vote?.publicKeySignatureBls48581?.signature)
    expect(rebroadcast.right.timeoutTick).toBe(timeout.right.timeoutTick + 1n)
  })

  test("undecodable traffic is rejected with reason Undecodable and its sender penalized", async () => {
    const { engine } = soloEngine(memoryStore())
    await Effect.runPromise(Effect.zipRight(engine.start(), engine.handleInbound("mallory", Uint8Array.of(0, 0, 0, 9, 1))))
    const status = engine.status()
    expect(status.rejections.map((r) => [r.from, r.kind, r.reason])).toEqual([["mallory", "undecodable", "Undecodable"]])
    expect(status.penalties).toEqual({ mallory: 1 })
  })
})
