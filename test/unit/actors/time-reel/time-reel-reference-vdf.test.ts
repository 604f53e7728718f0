import { bytesToHex } from "@noble/hashes/utils.js"
import { afterEach, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { FrameByNumber, GetTreeInfo, Head, Insert, Range } from "../../../../actors/time-reel/index.ts"
import { encodeGlobalFrame, type GlobalFrame } from "../../../../actors/consensus/core/messages/global-frame.ts"
import { referenceTsVdf } from "../../../../crates/ts/vdf/reference-frame-vdf.ts"
import { genesisFrame, makeFrameBuilder, selectorOf, withFlippedOutput } from "./support/frames.ts"
import { describeEvent, withNode } from "./support/harness.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/**
 * Real frames: the TypeScript reference Wesolowski VDF at difficulty 16 proves and verifies every
 * frame (the insecure BLS stand-in signs). Slow-ish (a solve takes ~0.1–1.5 s here), so one test.
 */
test("real VDF chain: inserted, persisted, tampering rejected, and resumed after a restart", async () => {
  const path = mkdtempSync(join(tmpdir(), "quilbun-reel-vdf-"))
  dirs.push(path)
  const { chain } = makeFrameBuilder(referenceTsVdf)
  const genesis = genesisFrame(BigInt(Date.now()))
  const frames = chain(genesis, 3)
  const extra = makeFrameBuilder(referenceTsVdf).child(frames[2]!, { signers: [1, 3] })

  await withNode(path, referenceTsVdf, (node) =>
    Effect.gen(function* () {
      for (const frame of [genesis, ...frames]) expect((yield* node.reel.ask(new Insert({ frame })))._tag).toBe("Accepted")
      const tampered = yield* Effect.exit(node.reel.ask(new Insert({ frame: withFlippedOutput(extra) })))
      const error = Exit.isFailure(tampered) && tampered.cause._tag === "Fail" ? tampered.cause.error : undefined
      expect(error?._tag === "InsertRejected" ? error.reason : "not rejected").toBe("BadVdf")
      const events = (yield* node.published).map((d) => describeEvent(d.event))
      expect(events).toEqual(["NewHead(0)", "NewHead(1)", "NewHead(2)", "NewHead(3)"])
      const stored = yield* node.reel.ask(new Range({ from: 0n, to: 10n }))
      // The store holds the canonical bytes of exactly the inserted frames.
      expect(stored.map((f) => bytesToHex(encodeGlobalFrame(f as GlobalFrame)))).toEqual([genesis, ...frames].map((f) => bytesToHex(encodeGlobalFrame(f))))
    }),
  )

  await withNode(path, referenceTsVdf, (node) =>
    Effect.gen(function* () {
      const head = yield* node.reel.ask(new Head())
      expect(head === null ? null : bytesToHex(head.selector)).toBe(bytesToHex(selectorOf(frames[2]!)))
      expect((yield* node.reel.ask(new GetTreeInfo())).nodes).toBe(4)
      expect(yield* node.reel.ask(new Insert({ frame: extra }))).toMatchObject({ _tag: "Accepted", headChanged: true })
      const four = yield* node.reel.ask(new FrameByNumber({ frameNumber: 4n }))
      expect(four === null ? null : bytesToHex(selectorOf(four as GlobalFrame))).toBe(bytesToHex(selectorOf(extra)))
      expect((yield* node.published).map((d) => describeEvent(d.event))).toEqual(["NewHead(4)"])
    }),
  )
}, 60_000)
