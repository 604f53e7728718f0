// The master's shard allocation table over a real store: devnet auto-allocation to free workers, one
// shard per worker, no free worker (or not a devnet) refused, and the table read back after a reopen.
import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Logger, LogLevel } from "effect"
import { openStore } from "../../../../runtime/store/index.ts"
import { storeMigrations } from "../../../../runtime/node/store-migrations.ts"
import { makeShardAllocationTable, type ShardAllocationOptions } from "../../../../runtime/node/shard-allocation.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const shard = (n: number) => new Uint8Array(32).fill(n)
const quiet = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.None)))

/** Opens the store at `path`, runs `use` with a table over it, closes the store. */
const withTable = <A>(
  path: string,
  options: ShardAllocationOptions,
  use: (t: Effect.Effect.Success<ReturnType<typeof makeShardAllocationTable>>) => Effect.Effect<A, unknown>,
) =>
  quiet(
    Effect.gen(function* () {
      const store = yield* openStore({ path, migrations: storeMigrations })
      const result = yield* Effect.flatMap(makeShardAllocationTable(store, options), use).pipe(Effect.ensuring(Effect.promise(() => store.close())))
      return result
    }),
  )

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-alloc-"))
  dirs.push(d)
  return join(d, "master")
}

describe("shard allocation table", () => {
  test("a devnet allocates new shards to free workers, one shard per worker; a covered shard keeps its worker", async () => {
    const path = tmp()
    const result = await withTable(path, { cores: [1, 2], devnet: true }, (t) =>
      Effect.gen(function* () {
        const a = yield* t.allocate(shard(1))
        const again = yield* t.allocate(shard(1))
        const b = yield* t.allocate(shard(2))
        const c = yield* Effect.either(t.allocate(shard(3)))
        return { a, again, b, c, coreOf3: t.coreOf(shard(3)), entries: t.entries().length }
      }),
    )
    expect(result.a).toEqual({ core: 1, fresh: true })
    expect(result.again).toEqual({ core: 1, fresh: false })
    expect(result.b).toEqual({ core: 2, fresh: true })
    expect(Either.isLeft(result.c) && result.c.left._tag === "NoFreeWorker" && result.c.left.detail).toBe("all 2 data workers cover a shard")
    expect(result.coreOf3).toBeUndefined()
    expect(result.entries).toBe(2)
  })

  test("two concurrent allocations of one new shard take one worker", async () => {
    const cores = await withTable(tmp(), { cores: [1, 2], devnet: true }, (t) =>
      Effect.all([t.allocate(shard(7)), t.allocate(shard(7))], { concurrency: "unbounded" }).pipe(Effect.map((r) => r.map((x) => x.core))),
    )
    expect(cores).toEqual([1, 1])
  })

  test("the table survives a reopened store; rows for cores the node no longer runs are ignored", async () => {
    const path = tmp()
    await withTable(path, { cores: [1, 2, 3], devnet: true }, (t) => Effect.all([t.allocate(shard(1)), t.allocate(shard(2)), t.allocate(shard(3))]))
    const reopened = await withTable(path, { cores: [1, 2], devnet: true }, (t) =>
      Effect.gen(function* () {
        const known = [t.coreOf(shard(1)), t.coreOf(shard(2)), t.coreOf(shard(3))]
        const again = yield* t.allocate(shard(2))
        const full = yield* Effect.either(t.allocate(shard(4)))
        return { known, again, full: Either.isLeft(full) }
      }),
    )
    expect(reopened.known).toEqual([1, 2, undefined])
    expect(reopened.again).toEqual({ core: 2, fresh: false })
    expect(reopened.full).toBe(true)
  })

  test("an allocation logs `shard covered` with the address and the core", async () => {
    const lines: Array<{ message: unknown; annotations: Record<string, unknown> }> = []
    const capture = Logger.make(({ message, annotations }) => {
      lines.push({ message, annotations: Object.fromEntries([...annotations].map(([k, v]) => [k, v])) })
    })
    const path = tmp()
    await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* openStore({ path, migrations: storeMigrations })
        const table = yield* makeShardAllocationTable(store, { cores: [4], devnet: true })
        yield* table.allocate(shard(9))
        yield* Effect.promise(() => store.close())
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture))),
    )
    const covered = lines.find((l) => Array.isArray(l.message) && l.message[0] === "shard covered")
    expect(covered?.annotations).toEqual({ address: "09".repeat(32), core: 4 })
  })

  test("outside a devnet nothing is allocated automatically", async () => {
    const r = await withTable(tmp(), { cores: [1], devnet: false }, (t) => Effect.either(t.allocate(shard(1))))
    expect(Either.isLeft(r) && r.left._tag === "NoFreeWorker" && r.left.detail).toBe("shards are allocated automatically only on a devnet")
  })
})
