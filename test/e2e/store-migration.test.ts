// Store format 1 → 2 on a data dir written by the old layout (test/fixtures/devnet-stalled.tar.gz: a
// 3-node devnet stopped at head 2, format 1, each committed global frame stored both in
// consensus_state and, with its body, in the time reel's clock_frames_global). The node's migration
// keeps the chain, stores each committed frame's body once, and says so; without the migration
// the store is refused and left as it was.
import { afterAll, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Logger } from "effect"
import { committedChain } from "../../actors/consensus/global/committed-chain.ts"
import { Buckets, defineRepository, KeyCodec, openStore, STORE_FORMAT_VERSION, storePath, ValueCodec } from "../../runtime/store/index.ts"
import { storeMigrations } from "../../runtime/node/store-migrations.ts"
import { repoRoot } from "./node-process.ts"

const base = mkdtempSync(join(tmpdir(), "quilbun-store-migration-"))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const extract = (): string => {
  const r = Bun.spawnSync({ cmd: ["tar", "-xzf", join(repoRoot, "test/fixtures/devnet-stalled.tar.gz"), "-C", base] })
  expect(r.exitCode).toBe(0)
  return join(base, "devnet-stalled", "node-0")
}

/** The reel rows as format 1 and 2 write them (key: filter ‖ kind ‖ n; value: ids and maybe a body). */
const reelRows = defineRepository({
  bucket: Buckets.clockFramesGlobal,
  key: KeyCodec.tuple(KeyCodec.bytes, KeyCodec.fixedBytes(1), KeyCodec.u64),
  value: ValueCodec.cbor<{ frameId: string; selector: Uint8Array; bytes?: Uint8Array }>(),
})

test("format 1 is refused without the migration and left untouched", async () => {
  const dir = extract()
  const refused = await Effect.runPromise(Effect.either(openStore({ path: storePath(dir, "master") })))
  expect(Either.isLeft(refused) ? refused.left : undefined).toMatchObject({
    _tag: "StoreOpenFailed",
    reason: `format 1 is older than ${STORE_FORMAT_VERSION} and no migration from 1 was given`,
  })
  // Still format 1: the migration runs on the next open that carries it.
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => lines.push(String(message)))
  const store = await Effect.runPromise(
    openStore({ path: storePath(dir, "master"), migrations: storeMigrations }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))),
  )
  await store.close()
  expect(lines.join("\n")).toContain("format 1 → 2")
})

test("the migration keeps the chain, drops the reel's copies of committed bodies, and logs what it did", async () => {
  const dir = extract()
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => lines.push(String(message)))
  const store = await Effect.runPromise(
    openStore({ path: storePath(dir, "master"), migrations: storeMigrations }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))),
  )
  try {
    expect(store.formatVersion).toBe(2)
    expect(lines).toContainEqual(
      `store ${storePath(dir, "master")}: format 1 → 2: the committed global chain is stored once: 2 frame bodies dropped from clock_frames_global (kept in consensus_state), 1 kept (not in the committed chain)`,
    )
    const chain = committedChain(store)
    expect(chain.headNumber()).toBe(2n)
    const rows = store.repository(reelRows)
    const frames = rows.range().filter((r) => r.key[1][0] === 0x00)
    expect(frames.map((r) => r.key[2])).toEqual([0n, 1n, 2n])
    for (const { key, value } of frames) {
      const committed = chain.frame(key[2])
      if (key[2] === 0n) {
        // Genesis is derived, never committed: its body stays with the reel.
        expect(committed).toBeUndefined()
        expect(value.bytes).toBeInstanceOf(Uint8Array)
      } else {
        expect(value.bytes).toBeUndefined()
        expect(committed?.qc.selector).toEqual(value.selector)
      }
    }
  } finally {
    await store.close()
  }
  // A second open has nothing to do.
  const again: Array<string> = []
  const quiet = Logger.make(({ message }) => again.push(String(message)))
  const reopened = await Effect.runPromise(
    openStore({ path: storePath(dir, "master"), migrations: storeMigrations }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, quiet))),
  )
  await reopened.close()
  expect(again.filter((l) => l.includes("format"))).toEqual([])
})
