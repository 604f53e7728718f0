// SerializeNonLazyTree (execution spec §3.4): a type byte per node (0 nil, 1 leaf, 2 branch), then
//   leaf:   bytes(key) ‖ bytes(value) ‖ bytes(hashTarget) ‖ bytes(commitment) ‖ bigint(size)
//   branch: u32 prefixLen ‖ i32 each ‖ 64 children ‖ bytes(commitment) ‖ bigint(size) ‖ i64 leafCount ‖ i32 longestBranch
// with bytes(x) = u64 BE length ‖ x and bigint(n) = bytes(minimal big-endian n).
//
// The reference writes a nil size as a u32 zero that its own u64 reader misparses ([bug], §11.3
// #21). quilbun sizes are never nil, so the writer always emits the u64 form and the reader accepts
// only that; the reference's vectors never contain the nil form (both coin trees match, see tests).
// The commitment written is the cached one: empty when the tree was not committed since a change.
import { Either } from "effect"
import { ByteReader } from "./byte-reader.ts"
import { ByteWriter } from "./byte-writer.ts"
import type { TrieDecodeError } from "./errors.ts"
import { makeBranch, makeLeaf, type TrieNode } from "./node.ts"
import { ARITY } from "./nibbles.ts"
import { VectorCommitmentTrie } from "./trie.ts"

const NIL = 0
const LEAF = 1
const BRANCH = 2

/** Minimal big-endian bytes of a non-negative integer (0 → no bytes), as Go's big.Int.Bytes. */
const bigintBytes = (n: bigint): Uint8Array => {
  if (n === 0n) return new Uint8Array(0)
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16))
}

const bytesBigint = (b: Uint8Array): bigint => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n)

const writeNode = (w: ByteWriter, node: TrieNode | undefined, withChildren: boolean): void => {
  if (node === undefined) {
    w.u8(NIL)
    return
  }
  if (node._tag === "Leaf") {
    w.u8(LEAF)
    w.bytes64(node.key)
    w.bytes64(node.value)
    w.bytes64(node.hashTarget)
    w.bytes64(node.commitment ?? new Uint8Array(0))
    w.bytes64(bigintBytes(node.size))
    return
  }
  w.u8(BRANCH)
  w.u32(node.prefix.length)
  for (const p of node.prefix) w.i32(p)
  if (withChildren) for (const child of node.children) writeNode(w, child, true)
  w.bytes64(node.dirty ? new Uint8Array(0) : (node.commitment ?? new Uint8Array(0)))
  w.bytes64(bigintBytes(node.size))
  w.i64(BigInt(node.leafCount))
  w.i32(node.longestBranch)
}

export const serializeNonLazyTree = (trie: VectorCommitmentTrie): Uint8Array => {
  const w = new ByteWriter()
  writeNode(w, trie.root, true)
  return w.done()
}

/** Branches nest at most one level per nibble of the longest key the format can carry; cap recursion. */
const MAX_DEPTH = 1024

const readBytes = (r: ByteReader): Either.Either<Uint8Array, TrieDecodeError> =>
  Either.flatMap(r.u64(), (n) => Either.flatMap(r.length(n, 1), (len) => r.take(len)))

const readNode = (r: ByteReader, depth: number, withChildren: boolean): Either.Either<TrieNode | undefined, TrieDecodeError> =>
  Either.gen(function* () {
    if (depth > MAX_DEPTH) return yield* Either.left(r.fail("tree nested too deep"))
    const type = yield* r.u8()
    if (type === NIL) return undefined
    if (type === LEAF) {
      const key = yield* readBytes(r)
      const value = yield* readBytes(r)
      const hashTarget = yield* readBytes(r)
      const commitment = yield* readBytes(r)
      const size = bytesBigint(yield* readBytes(r))
      const leaf = makeLeaf(key, value, hashTarget, size)
      leaf.commitment = commitment.length > 0 ? commitment : undefined
      return leaf
    }
    if (type !== BRANCH) return yield* Either.left(r.fail(`unknown node type ${type}`))
    const prefixLen = yield* r.length(yield* r.u32(), 4)
    const prefix: Array<number> = []
    for (let i = 0; i < prefixLen; i++) {
      const p = yield* r.i32()
      // Stricter than the reference (which takes any int32): a prefix entry is a nibble.
      if (p < 0 || p >= ARITY) return yield* Either.left(r.fail(`prefix nibble ${p} out of range`))
      prefix.push(p)
    }
    const children: Array<TrieNode | undefined> = []
    if (withChildren) for (let i = 0; i < ARITY; i++) children.push(yield* readNode(r, depth + 1, true))
    const commitment = yield* readBytes(r)
    const size = bytesBigint(yield* readBytes(r))
    const leafCount = yield* r.i64()
    const longestBranch = yield* r.i32()
    if (leafCount < 0n || leafCount > BigInt(Number.MAX_SAFE_INTEGER)) return yield* Either.left(r.fail(`leaf count ${leafCount} out of range`))
    const branch = makeBranch(prefix, size, Number(leafCount), longestBranch)
    children.forEach((c, i) => {
      branch.children[i] = c
    })
    if (commitment.length > 0) {
      // A stored commitment is taken as current; without its slot vector the next change recommits.
      branch.commitment = commitment
      branch.dirty = false
    }
    return branch
  })

/** Total decoder: any malformed input is a TrieDecodeError; trailing bytes are rejected. */
export const deserializeNonLazyTree = (bytes: Uint8Array): Either.Either<VectorCommitmentTrie, TrieDecodeError> => {
  const r = new ByteReader(bytes, "tree")
  return Either.gen(function* () {
    const root = yield* readNode(r, 0, true)
    yield* r.end()
    return new VectorCommitmentTrie(root)
  })
}

/**
 * One node without its children, for a node store keyed by path (node-store.ts): a leaf exactly as
 * in the tree encoding; a branch as its tree encoding with the 64 children left out.
 */
export const encodeNodeRecord = (node: TrieNode): Uint8Array => {
  const w = new ByteWriter()
  writeNode(w, node, false)
  return w.done()
}

export const decodeNodeRecord = (bytes: Uint8Array): Either.Either<TrieNode, TrieDecodeError> => {
  const r = new ByteReader(bytes, "node record")
  return Either.gen(function* () {
    const node = yield* readNode(r, 0, false)
    yield* r.end()
    if (node === undefined) return yield* Either.left(r.fail("a node record is never nil"))
    return node
  })
}
