// Small synchronous file-system helpers for config and keys: private directories and atomic,
// private files (write a temp file, fsync, rename, fsync the directory).
import { bytesToHex } from "@noble/hashes/utils.js"
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs"
import { dirname, join, basename } from "node:path"
import { randomBytes } from "node:crypto"

/**
 * Creates `dir` (and missing parents) with mode 0700. An existing directory keeps its mode: the
 * operator may have chosen it (key files are 0600 on their own).
 */
export const ensurePrivateDir = (dir: string): void => {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a directory`)
    return
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 })
}

/** Writes `data` to `path` atomically with `mode` (default 0600): a reader sees the old file or the whole new one. */
export const writeFileAtomic = (path: string, data: Uint8Array | string, mode = 0o600): void => {
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${bytesToHex(randomBytes(4))}`)
  const fd = openSync(tmp, "wx", mode)
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data
    let off = 0
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off)
    fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw e
  }
  closeSync(fd)
  chmodSync(tmp, mode) // the umask may have narrowed or the open mode been ignored
  renameSync(tmp, path)
  const dfd = openSync(dir, "r")
  try {
    fsyncSync(dfd)
  } finally {
    closeSync(dfd)
  }
}

/** An error's message, led by its errno code unless the message already names it (Node's do: `EROFS: read-only …`). */
export const errorReason = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code
    return typeof code === "string" && !e.message.includes(code) ? `${code}: ${e.message}` : e.message
  }
  return String(e)
}
