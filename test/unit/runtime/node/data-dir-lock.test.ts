// The data-dir lock in one process (the e2e cases are in test/e2e/data-dir-lock.test.ts):
// a second holder is refused with the owner's pid, release frees it, a stale record is taken over,
// and many simultaneous tries have exactly one winner.
import { afterAll, expect, test } from "bun:test"
import { Effect, Either, Exit, Option, Scope } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { acquireDataDirLock, lockPath } from "../../../../runtime/node/data-dir-lock.ts"

const dataDir = mkdtempSync(join(tmpdir(), "quilbun-lock-unit-"))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

test("held until its scope closes; a second try names the owner's pid", async () => {
  const scope = Effect.runSync(Scope.make())
  const lock = await Effect.runPromise(Scope.extend(acquireDataDirLock(dataDir), scope))
  expect(Option.isNone(lock.tookOver)).toBe(true)
  expect(JSON.parse(readFileSync(lockPath(dataDir), "utf8"))).toMatchObject({ pid: process.pid })
  const second = await Effect.runPromise(Effect.either(Effect.scoped(acquireDataDirLock(dataDir))))
  expect(Either.isLeft(second) ? second.left.message : "").toBe(`data dir ${dataDir} is in use by pid ${process.pid}`)
  await Effect.runPromise(Scope.close(scope, Exit.void))
  expect(existsSync(lockPath(dataDir))).toBe(false)
  await Effect.runPromise(Effect.scoped(acquireDataDirLock(dataDir)))
})

test("a record without a lock on it is stale and taken over", async () => {
  writeFileSync(lockPath(dataDir), `${JSON.stringify({ pid: 999_999_999, startedAt: "2020-01-01T00:00:00.000Z" })}\n`)
  const lock = await Effect.runPromise(Effect.scoped(acquireDataDirLock(dataDir)))
  expect(Option.getOrUndefined(lock.tookOver)).toEqual({ pid: 999_999_999, startedAt: "2020-01-01T00:00:00.000Z", pidAlive: false })
})

test("twenty concurrent tries in one process: exactly one wins", async () => {
  const tries = await Effect.runPromise(
    Effect.scoped(Effect.forEach(Array.from({ length: 20 }), () => Effect.either(acquireDataDirLock(dataDir)), { concurrency: "unbounded" })),
  )
  expect(tries.filter(Either.isRight)).toHaveLength(1)
})
