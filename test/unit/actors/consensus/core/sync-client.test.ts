import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import type { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import type { GlobalProposal } from "../../../../../actors/consensus/core/messages/proposals.ts"
import { globalChainKind } from "../../../../../actors/consensus/global/global-chain-kind.ts"
import { proposeRounds, soloEngine } from "./support/global-engine.ts"
import { memoryStore } from "./support/memory-ports.ts"

const kind = globalChainKind

/** A one-prover chain committed up to frame ≥ 4, and the sync answer its server gives from frame 1. */
const servedChain = async () => {
  const { engine, log } = soloEngine(memoryStore<GlobalFrame, GlobalProposal>())
  await Effect.runPromise(Effect.zipRight(engine.start(), proposeRounds(engine, log, 6)))
  const bytes = await Effect.runPromise(engine.serveSync(kind.encodeSyncRequest({ fromFrameNumber: 1n, limit: 64 })))
  const answer = kind.decodeSyncResponse(bytes)
  if (Either.isLeft(answer)) throw new Error("undecodable answer")
  expect(answer.right.frames.length).toBeGreaterThanOrEqual(4)
  return { server: engine, answer: answer.right, bytes }
}

/** A fresh node of the same committee (it follows: no proposals are run). */
const follower = async () => {
  const node = soloEngine(memoryStore<GlobalFrame, GlobalProposal>())
  await Effect.runPromise(node.engine.start())
  return node
}

describe("sync client", () => {
  test("a valid answer is adopted: the committed frames, then the proposals above them", async () => {
    const { server, bytes } = await servedChain()
    const { engine, log } = await follower()
    await Effect.runPromise(engine.handleSyncAnswered("server", bytes, "ok"))
    const head = engine.status().committedHead
    expect(head.frameNumber).toBeGreaterThanOrEqual(server.status().committedHead.frameNumber)
    expect(engine.status().rejections).toEqual([])
    // The adopted frames were committed durably and reported.
    expect(log.some((e) => e.op === "committed")).toBe(true)
  })

  test("frames that are not contiguous with the committed root are refused (BadFrameNumber), the sender penalized", async () => {
    const { answer } = await servedChain()
    const { engine } = await follower()
    const gap = kind.encodeSyncResponse({ ...answer, frames: answer.frames.slice(1), proposals: [] })
    await Effect.runPromise(engine.handleSyncAnswered("server", gap, "ok"))
    expect(engine.status().committedHead.frameNumber).toBe(0n)
    expect(engine.status().rejections.map((r) => [r.kind, r.reason])).toEqual([["sync", "BadFrameNumber"]])
    expect(engine.status().penalties).toEqual({ server: 1 })
  })

  test("a frame paired with another frame's QC is refused (WrongQuorumCertificate) after the valid ones before it", async () => {
    const { answer } = await servedChain()
    const { engine } = await follower()
    const [first, second] = answer.frames
    if (first === undefined || second === undefined) throw new Error("short chain")
    const swapped = kind.encodeSyncResponse({ ...answer, frames: [first, { frame: second.frame, qc: first.qc }], proposals: [] })
    await Effect.runPromise(engine.handleSyncAnswered("server", swapped, "ok"))
    expect(engine.status().committedHead.frameNumber).toBe(1n)
    expect(engine.status().rejections.map((r) => [r.kind, r.reason])).toEqual([["sync", "WrongQuorumCertificate"]])
  })

  test("an undecodable answer is refused with reason Undecodable", async () => {
    const { engine } = await follower()
    await Effect.runPromise(engine.handleSyncAnswered("server", Uint8Array.of(1, 2, 3), "ok"))
    expect(engine.status().rejections.map((r) => [r.kind, r.reason])).toEqual([["sync", "Undecodable"]])
  })
})
