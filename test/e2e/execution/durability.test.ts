import { afterEach, expect, test } from "bun:test"
import { join } from "node:path"
import { readNumbersKillingAfter } from "../kill-mid-loop.ts"
import { Effect } from "effect"
import { ApplyFrame, GetHead, GetShardRoots, Query } from "../../../actors/execution/index.ts"
import { VectorCommitmentTrie } from "../../../actors/execution/state/trie.ts"
import { noteDomain } from "../../unit/intrinsics/contract/fixtures/note-intrinsic.ts"
import { Buckets, notes, put, rawRows, tempStorePath, withHost } from "../../unit/actors/execution/harness.ts"
import { kzg } from "../../unit/actors/execution/state/helpers.ts"

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const NOTES = 20
const hex = (n: number): string => Buffer.from(new Uint8Array(32).fill(n)).toString("hex")

test("kill -9 mid-loop: the store holds exactly the last completed frame (never half of one), its root reopens, and the host resumes", async () => {
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
      const rows = yield* rawRows(Buckets.executionFrames)
      // A record's value starts `u8 format ‖ u32 len ‖ root`; the newest row is the head's.
      const recorded = rows[rows.length - 1]?.[1].slice(10, 10 + 64) ?? ""
      const shard = yield* host.ask(new GetShardRoots({ frameNumber: head ?? 0n, shardAddress: noteDomain }))
      const atoms = yield* rawRows(Buckets.vertices)
      // An empty frame changes no shard: its root is the reopened committer's root of the head state.
      const empty = yield* host.ask(new ApplyFrame({ frameNumber: (head ?? 0n) + 1n, bundles: [] }))
      const next = yield* host.ask(new ApplyFrame({ frameNumber: (head ?? 0n) + 2n, bundles: [notes(put(1, "resumed"))] }))
      return { head, values, records: rows.length, recorded, shard, atoms, empty, next }
    }),
  )
  const head = Number(result.head)
  // at most the frame in flight at the kill committed beyond the last report
  expect(head === last || head === last + 1).toBe(true)
  expect(result.records).toBe(head)
  // every note is from the head frame: no frame was half written
  expect(result.values).toEqual(Array.from({ length: NOTES }, () => ({ note: `frame ${head}` })))
  expect(Buffer.from(result.empty.root).toString("hex")).toBe(result.recorded)
  // The vertex-adds trie read back from disk commits to exactly the stored notes.
  const trie = new VectorCommitmentTrie()
  for (const [key, value] of result.atoms) {
    if (!key.startsWith(`00${Buffer.from(noteDomain).toString("hex")}`)) continue
    const bytes = Buffer.from(value.slice(2), "hex")
    Effect.runSync(trie.insert(Buffer.from(key.slice(2), "hex"), bytes, new Uint8Array(0), BigInt(bytes.length)))
  }
  expect(Buffer.from(result.shard.roots[0]!).toString("hex")).toBe(Buffer.from(Effect.runSync(trie.commit(kzg))).toString("hex"))
  expect(result.next.applied[0]).toMatchObject({ _tag: "Applied" })
}, 60_000)
