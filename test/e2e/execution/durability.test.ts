import { afterEach, expect, test } from "bun:test"
import { join } from "node:path"
import { readNumbersKillingAfter } from "../kill-mid-loop.ts"
import { Effect } from "effect"
import { ApplyFrame, GetHead, Query } from "../../../actors/execution/index.ts"
import { Buckets, notes, put, rawRows, tempStorePath, withHost } from "../../unit/actors/execution/harness.ts"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const NOTES = 20
const hex = (n: number): string => Buffer.from(new Uint8Array(32).fill(n)).toString("hex")

test("kill -9 mid-loop: the store holds exactly the last completed frame (never half of one) and the host resumes", async () => {
  const { path, cleanup } = tempStorePath()
  cleanups.push(cleanup)
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "fixtures", "frame-loop.ts"), path], { stdout: "pipe", stderr: "pipe" })
  const reported = await readNumbersKillingAfter(child, 40)
  expect(await child.exited).not.toBe(0)
  expect(child.signalCode).toBe("SIGKILL")
  expect(reported).toEqual(reported.map((_, i) => i + 1))
  const last = reported[reported.length - 1] ?? 0

  const result = await withHost(path, (host) =>
    Effect.gen(function* () {
      const head = yield* host.ask(new GetHead())
      const values: Array<unknown> = []
      for (let i = 1; i <= NOTES; i++) values.push(yield* host.ask(new Query({ intrinsic: "notes", name: "note", args: { address: hex(i) } })))
      const records = (yield* rawRows(Buckets.executionFrames)).length
      const next = yield* host.ask(new ApplyFrame({ frameNumber: (head ?? 0n) + 1n, bundles: [notes(put(1, "resumed"))] }))
      return { head, values, records, next }
    }),
  )
  const head = Number(result.head)
  // at most the frame in flight at the kill committed beyond the last report
  expect(head === last || head === last + 1).toBe(true)
  expect(result.records).toBe(head)
  // every note is from the head frame: no frame was half written
  expect(result.values).toEqual(Array.from({ length: NOTES }, () => ({ note: `frame ${head}` })))
  expect(result.next.applied[0]).toMatchObject({ _tag: "Applied" })
}, 60_000)
