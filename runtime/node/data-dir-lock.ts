// `<dataDir>/node.lock`: one master per data dir. The file holds `{"pid","startedAt"}` of its owner
// (for the refusal message and the take-over warning); the exclusion itself is an flock on it, which
// the kernel releases however the owner ends, so a lock left by kill -9 is simply taken over, and
// two masters starting at once cannot both win. Released (unlinked, then unlocked) when the scope
// closes. Taken before anything is written or bound, by `bun run node` and the embedding API alike.
import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect, Option, Schema, type Scope } from "effect"
import { errorReason } from "../../config/fs.ts"
import { tryLockExclusive } from "./flock.ts"

const LOCK_FILE = "node.lock"

export const lockPath = (dataDir: string): string => join(dataDir, LOCK_FILE)

/** Another live master holds the data dir. */
export class DataDirInUse extends Data.TaggedError("DataDirInUse")<{
  readonly path: string
  /** Undefined only if the holder never recorded its pid (it died between locking and writing). */
  readonly pid: number | undefined
}> {
  override get message(): string {
    return `data dir ${this.path} is in use by ${this.pid === undefined ? "another process" : `pid ${this.pid}`}`
  }
}

export class DataDirLockFailed extends Data.TaggedError("DataDirLockFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `data dir ${this.path}: cannot lock ${LOCK_FILE}: ${this.reason}`
  }
}

const LockRecord = Schema.parseJson(Schema.Struct({ pid: Schema.Int, startedAt: Schema.String }))
const decodeRecord = Schema.decodeUnknownOption(LockRecord)
const encodeRecord = Schema.encodeSync(LockRecord)

/** A lock file left behind by a master that ended without releasing it (kill -9, power loss). */
export interface StaleLock {
  readonly pid: number
  readonly startedAt: string
  /** The pid is running, but it does not hold the lock: a reused pid, not a quilbun master. */
  readonly pidAlive: boolean
}

export interface DataDirLock {
  readonly path: string
  /** Set when this start took over a stale lock. */
  readonly tookOver: Option.Option<StaleLock>
}

const readHolder = (fd: number): Option.Option<{ readonly pid: number; readonly startedAt: string }> => {
  const size = fstatSync(fd).size
  if (size === 0 || size > 4096) return Option.none()
  const buf = Buffer.alloc(size)
  const n = readSync(fd, buf, 0, size, 0)
  return decodeRecord(buf.subarray(0, n).toString("utf8"))
}

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" // alive, owned by someone else
  }
}

type Attempt =
  | { readonly _tag: "Acquired"; readonly fd: number; readonly tookOver: Option.Option<StaleLock> }
  | { readonly _tag: "Held"; readonly pid: number | undefined }
  | { readonly _tag: "Moved" }

/** One try: open (creating), lock without waiting, check the path still names the locked file. */
const attempt = (path: string): Attempt => {
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600)
  try {
    const locked = tryLockExclusive(fd)
    if (locked._tag === "Failed") throw new Error(locked.reason)
    if (locked._tag === "Held") {
      const holder = readHolder(fd)
      closeSync(fd)
      return { _tag: "Held", pid: Option.getOrUndefined(Option.map(holder, (h) => h.pid)) }
    }
    // A releasing owner unlinks before it unlocks: a lock won on that unlinked file is worthless.
    const here = statSync(path, { throwIfNoEntry: false })
    const mine = fstatSync(fd)
    if (here === undefined || here.ino !== mine.ino || here.dev !== mine.dev) {
      closeSync(fd)
      return { _tag: "Moved" }
    }
    const tookOver = Option.map(readHolder(fd), (h) => ({ ...h, pidAlive: h.pid !== process.pid && pidAlive(h.pid) }))
    const record = Buffer.from(`${encodeRecord({ pid: process.pid, startedAt: new Date().toISOString() })}\n`)
    ftruncateSync(fd, 0)
    writeSync(fd, record, 0, record.length, 0)
    fsyncSync(fd)
    return { _tag: "Acquired", fd, tookOver }
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

/** Holds `<dataDir>/node.lock` for the scope's lifetime; fails at once if a live master has it. */
export const acquireDataDirLock = (dataDir: string): Effect.Effect<DataDirLock, DataDirInUse | DataDirLockFailed, Scope.Scope> => {
  const path = lockPath(dataDir)
  const tryOnce = Effect.try({
    try: () => attempt(path),
    catch: (e) => new DataDirLockFailed({ path: dataDir, reason: errorReason(e) }),
  })
  const acquire = Effect.gen(function* () {
    // Retries cover two short windows: the file was being released, or its new owner has locked
    // it but not yet written its pid. Both last microseconds; one second is plenty.
    for (let i = 0; i < 50; i++) {
      const result = yield* tryOnce
      if (result._tag === "Acquired") return result
      if (result._tag === "Held" && result.pid !== undefined) return yield* new DataDirInUse({ path: dataDir, pid: result.pid })
      yield* Effect.sleep("20 millis")
    }
    return yield* new DataDirInUse({ path: dataDir, pid: undefined })
  })
  return Effect.acquireRelease(acquire, ({ fd }) =>
    Effect.sync(() => {
      rmSync(path, { force: true })
      closeSync(fd)
    }),
  ).pipe(Effect.map(({ tookOver }): DataDirLock => ({ path, tookOver })))
}
