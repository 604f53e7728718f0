import { afterEach, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { readNumbersKillingAfter } from "../kill-mid-loop.ts"
import { Effect } from "effect"
import { Buckets, defineRepository, KeyCodec, Store, StoreLive, ValueCodec } from "../../../runtime/store/index.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const numbers = defineRepository({ bucket: Buckets.kvTest, key: KeyCodec.u64Number, value: ValueCodec.cbor<number>() })
const shadows = defineRepository({ bucket: Buckets.proofs, key: KeyCodec.u64Number, value: ValueCodec.raw })

test("kill -9 mid-loop loses no reported commit, and no commit is half-applied", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-durability-"))
  dirs.push(dir)
  const path = join(dir, "master")
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "fixtures", "commit-loop.ts"), path], {
    stdout: "pipe",
    stderr: "pipe",
  })
  const reported = await readNumbersKillingAfter(child, 300)
  expect(await child.exited).not.toBe(0)
  expect(child.signalCode).toBe("SIGKILL")
  expect(reported.length).toBeGreaterThanOrEqual(300)
  expect(reported).toEqual(reported.map((_, i) => i))

  const last = reported[reported.length - 1] ?? -1
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const s = yield* Store
        const a = s.repository(numbers)
        const b = s.repository(shadows)
        for (const n of reported) expect(a.get(n)).toBe(n)
        // at most the one commit in flight at the kill may be present beyond the last report,
        // and every commit present is whole (both buckets)
        const stored = a.keys()
        expect(stored.length).toBeGreaterThanOrEqual(reported.length)
        expect(stored.length).toBeLessThanOrEqual(last + 2)
        expect(b.keys()).toEqual(stored)
        expect(b.get(last)?.[0]).toBe(last & 255)
      }).pipe(Effect.provide(StoreLive({ path }))),
    ),
  )
}, 30_000)
