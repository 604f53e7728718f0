// `bun run bench store`: the Store/Repository layer against hand-written raw lmdb calls doing the
// same work (same key bytes, same cbor-x value encoding, same env options, one write transaction
// per batch of 1000 puts). Target: ratio >= 0.8.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import "../../runtime/store/cbor-native-off.ts"
import { Encoder } from "cbor-x"
import { Effect } from "effect"
import { open } from "lmdb"
import { Buckets, bucketDbName, defineRepository, KeyCodec, openStore, ValueCodec } from "../../runtime/store/index.ts"
import { opsPerSecond, reportRatio } from "./report.ts"

interface Item {
  readonly n: number
  readonly tag: string
  readonly data: Uint8Array
}

const BATCH = 1000
const KEYS = 100_000

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const ms = Number(args[0] ?? 1000)
  const dir = mkdtempSync(join(tmpdir(), "quilbun-bench-store-"))
  try {
    const store = await Effect.runPromise(openStore({ path: join(dir, "store") }))
    const repo = store.repository(defineRepository({ bucket: Buckets.kvTest, key: KeyCodec.u64Number, value: ValueCodec.cbor<Item>() }))
    const root = open({ path: join(dir, "raw"), maxDbs: 64, overlappingSync: false, compression: false })
    const db = root.openDB<Uint8Array, Uint8Array>({ name: bucketDbName(Buckets.kvTest), keyEncoding: "binary", encoding: "binary" })
    const cbor = new Encoder({ useRecords: false, mapsAsObjects: true })
    const rawKey = (n: number): Uint8Array => {
      const b = new Uint8Array(8)
      const v = new DataView(b.buffer)
      v.setUint32(0, Math.floor(n / 2 ** 32))
      v.setUint32(4, n >>> 0)
      return b
    }
    const item = (n: number): Item => ({ n, tag: `item-${n}`, data: new Uint8Array(64).fill(n & 255) })

    let nextStore = 0
    let nextRaw = 0
    const putStore = (count: number) =>
      store.commitSync((tx) => {
        for (let i = 0; i < count; i++, nextStore++) repo.put(tx, nextStore % KEYS, item(nextStore))
      })
    const putRaw = (count: number) =>
      root.transactionSync(() => {
        for (let i = 0; i < count; i++, nextRaw++) db.putSync(rawKey(nextRaw % KEYS), cbor.encode(item(nextRaw)))
      })
    // fill both with every key first, so the get and range cases read the same data
    for (let i = 0; i < KEYS; i += BATCH) {
      putStore(BATCH)
      putRaw(BATCH)
    }

    let seed = 12345
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % KEYS
    let sink = 0
    const getStore = (count: number) => {
      for (let i = 0; i < count; i++) sink += repo.get(rand())?.n ?? 0
    }
    const getRaw = (count: number) => {
      for (let i = 0; i < count; i++) {
        const b = db.getBinary(rawKey(rand()))
        sink += b === undefined ? 0 : (cbor.decode(b) as Item).n
      }
    }
    const rangeStore = (count: number) => {
      const start = rand() % (KEYS - count)
      for (const e of repo.range({ gte: start, limit: count })) sink += e.value.n
    }
    const rangeRaw = (count: number) => {
      const start = rand() % (KEYS - count)
      for (const { value } of db.getRange({ start: rawKey(start), limit: count })) sink += (cbor.decode(value) as Item).n
    }

    // Rounds alternate raw and ours and keep the best of each: the machine is shared and noisy.
    const pair = async (name: string, ours: (n: number) => void, raw: (n: number) => void) => {
      let baseline = 0
      let value = 0
      for (let r = 0; r < 3; r++) {
        baseline = Math.max(baseline, await opsPerSecond(raw, { batch: BATCH, ms: ms / 3 }))
        value = Math.max(value, await opsPerSecond(ours, { batch: BATCH, ms: ms / 3 }))
      }
      reportRatio(`store.${name}`, "ops/s", value, baseline)
    }
    await pair("put", putStore, putRaw)
    await pair("get", getStore, getRaw)
    await pair("range", rangeStore, rangeRaw)
    if (sink === -1) process.stdout.write("unreachable\n")
    await store.close()
    await root.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
