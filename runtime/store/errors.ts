// Typed store errors. Open-time errors always name the path; a version-too-new store is refused
// before anything is written to it.
import { statfsSync } from "node:fs"
import { Data } from "effect"

export class StoreOpenFailed extends Data.TaggedError("StoreOpenFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `store ${this.path}: cannot open: ${this.reason}`
  }
}

/**
 * The store's files are not a sound LMDB environment (truncated, overwritten header, a tree page
 * that is not what its parent says). Refused before LMDB maps it, so it is never a crash.
 */
export class StoreDamaged extends Data.TaggedError("StoreDamaged")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `store ${this.path} is damaged: ${this.reason}`
  }
}

/** LMDB's own verdicts on a file it cannot trust (as opposed to e.g. a permission problem). */
export const isDamageError = (e: unknown): boolean =>
  e instanceof Error && /MDB_(INVALID|CORRUPTED|PAGE_NOTFOUND|VERSION_MISMATCH|BAD_CHECKSUM|PANIC)/.test(e.message)

export class StoreVersionTooNew extends Data.TaggedError("StoreVersionTooNew")<{
  readonly path: string
  readonly found: number
  readonly supported: number
}> {
  override get message(): string {
    return `store ${this.path}: format version ${this.found} is newer than this build supports (${this.supported}); refusing to open`
  }
}

/** A commit function threw, or LMDB refused the write; nothing of that commit was written. */
export class StoreCommitFailed extends Data.TaggedError("StoreCommitFailed")<{
  readonly path: string
  readonly reason: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `store ${this.path}: commit failed: ${this.reason}`
  }
}

/** A read failed (e.g. a closed store, or a value that no longer decodes). */
export class StoreReadFailed extends Data.TaggedError("StoreReadFailed")<{
  readonly path: string
  readonly reason: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `store ${this.path}: read failed: ${this.reason}`
  }
}

/** A stored value did not decode with its repository's codec. Thrown by synchronous reads. */
export class StoreCorrupt extends Data.TaggedError("StoreCorrupt")<{
  readonly path: string
  readonly bucket: string
  readonly key: string
  readonly reason: string
}> {
  override get message(): string {
    return `store ${this.path}: ${this.bucket}[${this.key}]: cannot decode value: ${this.reason}`
  }
}

/** Misuse: writing with a transaction that has ended, belongs to another store, or a closed store. */
export class StoreMisuse extends Data.TaggedError("StoreMisuse")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `store ${this.path}: ${this.reason}`
  }
}

/**
 * Why a write failed, with the errno LMDB drops put back: on a full disk LMDB's write loop gets a
 * short write and reports EIO ("Input/output error", mdb.c "short write, filesystem full?"), where a
 * data worker's smaller first write gets ENOSPC itself. An EIO while the store's file system has no
 * room left is reported as what it is.
 */
export const writeReasonOf = (path: string, e: unknown): string => {
  const reason = reasonOf(e)
  if (/No space left on device|\bENOSPC\b/i.test(reason)) return `ENOSPC: no space left on device (${reason})`
  if (!/Input\/output error|\bEIO\b/.test(reason)) return reason
  try {
    const fs = statfsSync(path)
    // "full" = less than 64 KiB (a few pages) available to us
    if (fs.bavail * fs.bsize < 64 * 1024) return `ENOSPC: no space left on device (LMDB reported: ${reason})`
  } catch {
    // the file system cannot be asked: keep LMDB's words
  }
  return reason
}

export const reasonOf = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code
    return typeof code === "string" && !e.message.includes(code) ? `${code}: ${e.message}` : e.message
  }
  return String(e)
}
