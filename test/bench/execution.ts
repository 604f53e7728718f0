// `bun run bench execution [leaves] [touched]`: the vector commitment trie's root update after
// `touched` random leaf changes in a `leaves`-leaf trie (default 65,536 and 1,000, 32-byte keys),
// incremental (only changed slots applied to each touched branch's commitment) against recommitting
// every touched branch from its 64 slots, from the same committed state in the same run.
// Line: `execution.root touched=<n> leaves=<n> ms=<incremental> baseline_ms=<recommit> ratio=<baseline/ms>`.
// Targets: ms <= 1000 and ratio >= 10.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { CommitMode } from "../../actors/execution/state/commitment.ts"
import { VectorCommitmentTrie } from "../../actors/execution/state/trie.ts"
import { makeKzg } from "../../crates/ts/bls/kzg.ts"

/** Deterministic bytes, so every run measures the same tree. */
const byteSource = (seed: number): ((n: number) => Uint8Array) => {
  let s = seed >>> 0
  return (n) =>
    Uint8Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      return s >>> 24
    })
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const leaves = Number(args[0] ?? 65_536)
  const touched = Number(args[1] ?? 1_000)
  const kzg = Effect.runSync(makeKzg())
  const rnd = byteSource(0x51ab)
  const trie = new VectorCommitmentTrie()
  const keys: Array<Uint8Array> = []
  const values: Array<Uint8Array> = []
  for (let i = 0; i < leaves; i++) {
    keys.push(rnd(32))
    values.push(rnd(32))
    Effect.runSync(trie.insert(keys[i]!, values[i]!, new Uint8Array(0), 32n))
  }
  let t = performance.now()
  Effect.runSync(trie.commit(kzg))
  const buildMs = performance.now() - t
  process.stderr.write(`execution: built and committed ${leaves} leaves in ${buildMs.toFixed(0)} ms\n`)

  const picked = new Set<number>()
  while (picked.size < Math.min(touched, leaves)) picked.add(((rnd(1)[0]! << 16) | (rnd(1)[0]! << 8) | rnd(1)[0]!) % leaves)
  const changes = [...picked].map((i) => ({ key: keys[i]!, old: values[i]!, next: rnd(32) }))
  const apply = (to: "old" | "next"): void => {
    for (const c of changes) Effect.runSync(trie.insert(c.key, c[to], new Uint8Array(0), 32n))
  }
  const timed = (mode: CommitMode): { ms: number; root: string } => {
    apply("next")
    t = performance.now()
    const root = bytesToHex(Effect.runSync(trie.commit(kzg, mode)))
    const ms = performance.now() - t
    // Back to the shared starting state (untimed) for the other mode.
    apply("old")
    Effect.runSync(trie.commit(kzg))
    return { ms, root }
  }
  // Warm-up (untimed): the first incremental update builds the native fixed-base tables (once per process).
  timed("incremental")
  const incremental = timed("incremental")
  const baseline = timed("recommit")
  if (incremental.root !== baseline.root) throw new Error("incremental and recommitted roots differ")
  const f = (x: number): string => x.toFixed(0)
  process.stdout.write(
    `execution.root touched=${changes.length} leaves=${leaves} ms=${f(incremental.ms)} baseline_ms=${f(baseline.ms)} ratio=${(baseline.ms / incremental.ms).toFixed(2)}\n`,
  )
}
