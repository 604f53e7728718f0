// `bun run bench consensus`: a 4-node devnet (in-memory transport, TestClock, INSECURE test BLS and hash
// VDF) committing frames, measured in frames per wall-clock second and virtual ms per frame; and the
// cost of decoding consensus traffic. Absolute values: there is no reference implementation to compare.
import { Clock, Effect, Logger, LogLevel, TestContext } from "effect"
import { decodeWire } from "../../actors/global-consensus/wire.ts"
import { makeDevnet } from "../../runtime/embed/devnet.ts"
import { encodeProposalVote, ProposalVote } from "../../runtime/consensus/messages/proposal-vote.ts"
import { BLS48581AddressedSignature } from "../../runtime/consensus/messages/signatures.ts"
import { opsPerSecond, reportValues } from "./report.ts"

const devnetRun = (nodes: number, frames: bigint) =>
  Effect.gen(function* () {
    const devnet = yield* makeDevnet({ nodes, seed: 1, consensus: { stopAfterFrame: frames + 1n } })
    const start = performance.now()
    const done = Effect.map(devnet.statuses, (all) => all.every((s) => s.committedHead.frameNumber >= frames))
    yield* devnet.runUntil(done, { maxMs: 600_000, stepMs: 100 })
    const wallMs = performance.now() - start
    const virtualMs = yield* Clock.currentTimeMillis
    const stats = devnet.network.stats()
    return { wallMs, virtualMs, messages: stats.delivered }
  }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.Error))

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const frames = BigInt(args[0] ?? 50)
  for (const nodes of [4, 7]) {
    const r = await Effect.runPromise(devnetRun(nodes, frames))
    const n = Number(frames)
    reportValues(`consensus.devnet${nodes}`, {
      frames: n,
      frames_per_s: n / (r.wallMs / 1000),
      virtual_ms_per_frame: r.virtualMs / n,
      messages_per_frame: r.messages / n,
    })
  }
  const vote = encodeProposalVote(
    new ProposalVote({
      filter: new Uint8Array(),
      rank: 7n,
      frameNumber: 6n,
      selector: new Uint8Array(32).fill(1),
      timestamp: 1n,
      publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: new Uint8Array(74), address: new Uint8Array(32) }),
    }),
  )
  const ops = await opsPerSecond(
    (k) => {
      for (let i = 0; i < k; i++) decodeWire(vote)
    },
    { batch: 1000 },
  )
  reportValues("consensus.decodeVote", { ops_per_s: ops })
}
