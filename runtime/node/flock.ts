// flock(2) through bun:ffi on the C library (not the project's Rust crate, which is optional): the
// kernel drops the lock when its holder exits in any way, kill -9 included, so a dead holder can
// never leave the data dir locked.
import { dlopen, read, type Pointer } from "bun:ffi"

const LOCK_EX = 2
const LOCK_NB = 4
/** EWOULDBLOCK: 11 on Linux, 35 on macOS and the BSDs. */
const WOULD_BLOCK = process.platform === "linux" ? 11 : 35

const libcPath = process.platform === "darwin" ? "/usr/lib/libSystem.B.dylib" : "libc.so.6"

const libc = (() => {
  try {
    const errnoName = process.platform === "linux" ? "__errno_location" : "__error"
    const lib = dlopen(libcPath, {
      flock: { args: ["i32", "i32"], returns: "i32" },
      [errnoName]: { args: [], returns: "ptr" },
    })
    const errnoPtr = lib.symbols[errnoName] as () => Pointer | null
    return { flock: lib.symbols.flock as (fd: number, op: number) => number, errnoPtr }
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
})()

export type FlockResult = { readonly _tag: "Locked" } | { readonly _tag: "Held" } | { readonly _tag: "Failed"; readonly reason: string }

/** Tries to take an exclusive lock on `fd` without waiting. */
export const tryLockExclusive = (fd: number): FlockResult => {
  if (libc instanceof Error) return { _tag: "Failed", reason: `flock unavailable (${libcPath}): ${libc.message}` }
  if (libc.flock(fd, LOCK_EX | LOCK_NB) === 0) return { _tag: "Locked" }
  const ptr = libc.errnoPtr()
  const errno = ptr === null ? WOULD_BLOCK : read.i32(ptr, 0)
  return errno === WOULD_BLOCK ? { _tag: "Held" } : { _tag: "Failed", reason: `flock failed (errno ${errno})` }
}
