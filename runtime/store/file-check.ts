// Checks an LMDB data file with plain reads before lmdb maps it. LMDB trusts its file: a truncated
// file makes the mapped pages past the end raise SIGBUS, and garbage in a meta page makes it follow
// wild page numbers (SIGSEGV). Neither can be caught once mapped, so what LMDB will dereference first
// is checked here: both meta pages (magic, version, page size, last page, txn id), that the file
// holds every page the meta pages claim, and the main tree's root page and the sub-database records
// in it (each named tree's root page). Layout: lmdb-js 3.x (LMDB master3), 64-bit:
//   page header (24 bytes): pgno u64 · txnid u64 · pad u16 · flags u16 · lower u16 · upper u16
//   meta (after the header): magic u32 · version u32 · address u64 · mapsize u64 ·
//     dbs[2] (48 bytes each: pad u32 (page size in dbs[0]) · flags u16 · depth u16 · branch u64 ·
//     leaf u64 · overflow u64 · entries u64 · root u64) · last_pg u64 · txnid u64
import { closeSync, fstatSync, openSync, readSync } from "node:fs"
import { Either } from "effect"

const PAGE_HEADER = 24
const MAGIC = 0xbeefc0de
const DATA_VERSION = 2
const P_BRANCH = 0x01
const P_LEAF = 0x02
const P_OVERFLOW = 0x04
const P_META = 0x08
const F_BIGDATA = 0x01
const F_SUBDATA = 0x02
/** Empty tree marker (`P_INVALID`). */
const NO_PAGE = 0xffff_ffff_ffff_ffffn
const META_BYTES = PAGE_HEADER + 8 + 8 + 8 + 2 * 48 + 8 + 8
const DB_RECORD = 48

interface TreeRoot {
  readonly root: bigint
  readonly depth: number
}

interface Meta {
  readonly pageSize: number
  readonly lastPage: bigint
  readonly txnId: bigint
  readonly main: TreeRoot
  readonly free: TreeRoot
}

/**
 * What the check found: no data yet (LMDB will initialise it), a file that looks sound, or a file it
 * cannot read at all (e.g. a parent that is not a directory, no permission): opening it fails with
 * LMDB's own error, which is not damage.
 */
export type FileState = "empty" | "sound" | "unreadable"

const readAt = (fd: number, offset: number, length: number): Buffer => {
  const buf = Buffer.alloc(length)
  let got = 0
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got)
    if (n === 0) break
    got += n
  }
  return got === length ? buf : buf.subarray(0, got)
}

const dbAt = (b: Buffer, at: number): TreeRoot => ({ depth: b.readUInt16LE(at + 6), root: b.readBigUInt64LE(at + 40) })

const parseMeta = (b: Buffer, index: number, expectPageSize?: number): Either.Either<Meta, string> => {
  const where = `meta page ${index}`
  if (b.length < META_BYTES) return Either.left(`${where} is cut short (${b.length} of ${META_BYTES} bytes)`)
  if ((b.readUInt16LE(18) & P_META) === 0) return Either.left(`${where} is not marked as a meta page`)
  const magic = b.readUInt32LE(PAGE_HEADER)
  if (magic !== MAGIC) return Either.left(`${where} has bad magic 0x${magic.toString(16)} (expected 0xbeefc0de)`)
  const version = b.readUInt32LE(PAGE_HEADER + 4) & 0xffff
  if (version !== DATA_VERSION) return Either.left(`${where} has version ${version} (expected ${DATA_VERSION})`)
  const dbs = PAGE_HEADER + 24
  const pageSize = b.readUInt32LE(dbs)
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return Either.left(`${where} has page size ${pageSize} (expected a power of two between 512 and 65536)`)
  }
  if (expectPageSize !== undefined && pageSize !== expectPageSize) {
    return Either.left(`${where} has page size ${pageSize}, meta page 0 says ${expectPageSize}`)
  }
  const lastPage = b.readBigUInt64LE(dbs + 2 * DB_RECORD)
  const txnId = b.readBigUInt64LE(dbs + 2 * DB_RECORD + 8)
  return Either.right({ pageSize, lastPage, txnId, free: dbAt(b, dbs), main: dbAt(b, dbs + DB_RECORD) })
}

/** Checks one tree root against the file: in range, the page says it is itself, the right kind. */
const checkRoot = (fd: number, meta: Meta, tree: TreeRoot, what: string): Either.Either<Buffer | undefined, string> => {
  if (tree.root === NO_PAGE) return Either.right(undefined)
  if (tree.root < 2n || tree.root > meta.lastPage) {
    return Either.left(`${what} root page ${tree.root} is outside the data pages 2..${meta.lastPage}`)
  }
  if (tree.depth < 1 || tree.depth > 64) return Either.left(`${what} has depth ${tree.depth}`)
  const page = readAt(fd, Number(tree.root) * meta.pageSize, meta.pageSize)
  if (page.length < meta.pageSize) return Either.left(`${what} root page ${tree.root} is past the end of the file`)
  const pgno = page.readBigUInt64LE(0)
  if (pgno !== tree.root) return Either.left(`${what} root page ${tree.root} is labelled page ${pgno}`)
  const flags = page.readUInt16LE(18)
  const kind = tree.depth === 1 ? P_LEAF : P_BRANCH
  if ((flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META)) !== kind) {
    return Either.left(`${what} root page ${tree.root} has flags 0x${flags.toString(16)} (expected a ${tree.depth === 1 ? "leaf" : "branch"} page)`)
  }
  // Both bounds count from the end of the page header (PAGEBASE); lower/2 is the entry count.
  const lower = page.readUInt16LE(20)
  const upper = page.readUInt16LE(22)
  if (upper > meta.pageSize - PAGE_HEADER || lower > upper || lower % 2 !== 0) {
    return Either.left(`${what} root page ${tree.root} has free-space bounds ${lower}..${upper}`)
  }
  return Either.right(page)
}

/**
 * The main tree holds one record per named database (its MDB_db, 48 bytes). When the main tree is a
 * single leaf (always, for a handful of buckets) each record's root page is checked as well.
 */
const checkNamedTrees = (fd: number, meta: Meta, leaf: Buffer): Either.Either<void, string> => {
  const count = leaf.readUInt16LE(20) / 2
  for (let i = 0; i < count; i++) {
    const at = PAGE_HEADER + leaf.readUInt16LE(PAGE_HEADER + 2 * i)
    // node: lo u16 · hi u16 (data size) · flags u16 · ksize u16 · key · data
    if (at < PAGE_HEADER + 2 * count || at + 8 > meta.pageSize) return Either.left(`main tree entry ${i} points outside its page`)
    const dataSize = leaf.readUInt16LE(at) | (leaf.readUInt16LE(at + 2) << 16)
    const nodeFlags = leaf.readUInt16LE(at + 4)
    const keySize = leaf.readUInt16LE(at + 6)
    const dataAt = at + 8 + keySize
    if ((nodeFlags & F_BIGDATA) !== 0) continue // a plain value kept on overflow pages, not a tree
    if (dataAt + dataSize > meta.pageSize) return Either.left(`main tree entry ${i} runs past its page`)
    if ((nodeFlags & F_SUBDATA) === 0 || dataSize !== DB_RECORD) continue
    const name = leaf.subarray(at + 8, dataAt).toString("latin1")
    const sub = checkRoot(fd, meta, dbAt(leaf, dataAt), `database ${JSON.stringify(name)}`)
    if (Either.isLeft(sub)) return Either.left(sub.left)
  }
  return Either.right(undefined)
}

/** Reads `<dir>/data.mdb` without mapping it; Left(reason) when LMDB should not be let near it. */
export const checkDataFile = (file: string): Either.Either<FileState, string> => {
  let fd: number
  try {
    fd = openSync(file, "r")
  } catch (e) {
    return Either.right((e as NodeJS.ErrnoException).code === "ENOENT" ? "empty" : "unreadable")
  }
  try {
    const size = fstatSync(fd).size
    if (size === 0) return Either.right("empty") // created but never initialised: LMDB writes the meta pages
    const first = readAt(fd, 0, META_BYTES)
    const meta0 = parseMeta(first, 0)
    if (Either.isLeft(meta0)) return Either.left(size < META_BYTES ? `data.mdb is ${size} bytes, shorter than its header` : meta0.left)
    const pageSize = meta0.right.pageSize
    if (size < 2 * pageSize) return Either.left(`data.mdb is ${size} bytes, shorter than its two ${pageSize}-byte meta pages`)
    const meta1 = parseMeta(readAt(fd, pageSize, META_BYTES), 1, pageSize)
    if (Either.isLeft(meta1)) return Either.left(meta1.left)
    for (const [index, meta] of [meta0.right, meta1.right].entries()) {
      const need = (meta.lastPage + 1n) * BigInt(pageSize)
      if (meta.lastPage < 1n || BigInt(size) < need) {
        return Either.left(`data.mdb is ${size} bytes but meta page ${index} records ${meta.lastPage + 1n} pages of ${pageSize} bytes (${need} bytes)`)
      }
    }
    // LMDB opens the newer snapshot; its trees are what the first reads walk.
    const current = meta1.right.txnId > meta0.right.txnId ? meta1.right : meta0.right
    const free = checkRoot(fd, current, current.free, "free-page tree")
    if (Either.isLeft(free)) return Either.left(free.left)
    const main = checkRoot(fd, current, current.main, "main tree")
    if (Either.isLeft(main)) return Either.left(main.left)
    if (main.right !== undefined && current.main.depth === 1) {
      const named = checkNamedTrees(fd, current, main.right)
      if (Either.isLeft(named)) return Either.left(named.left)
    }
    return Either.right("sound")
  } catch (e) {
    return Either.left(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`)
  } finally {
    closeSync(fd)
  }
}
