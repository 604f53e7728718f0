// Test harness for the execution host: a fresh store in a temp dir, an actor system, and the host
// wired by ExecutionLive, exactly as the node wires it.
import { afterEach } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, type Scope } from "effect"
import { encodeBundle, Execution, ExecutionLive, type ExecutionOptions, type ExecutionRef } from "../../../../actors/execution/index.ts"
import { Buckets, defineRepository, KeyCodec, Store, StoreLive, ValueCodec } from "../../../../runtime/store/index.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"
import type { Intrinsic } from "../../../../intrinsics/contract/index.ts"
import { noteDomain, noteIntrinsic, notePut, noteRemove, testCrypto } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"
import { faultyIntrinsic, lateIntrinsic, payIntrinsic, payOp } from "./fixtures/test-intrinsics.ts"

const allIntrinsics: ReadonlyArray<Intrinsic> = [noteIntrinsic(), payIntrinsic, faultyIntrinsic, lateIntrinsic]

export const tempStorePath = (): { readonly path: string; readonly cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-exec-"))
  return { path: join(dir, "store"), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** For a test file: a fresh store path per call, each removed after the test that asked for it. */
export const storePaths = (): (() => string) => {
  const cleanups: Array<() => void> = []
  afterEach(() => {
    for (const c of cleanups.splice(0)) c()
  })
  return () => {
    const t = tempStorePath()
    cleanups.push(t.cleanup)
    return t.path
  }
}

export const hostOptions = (overrides: Partial<ExecutionOptions> = {}): ExecutionOptions => ({ crypto: testCrypto, network: 1, ...overrides })

/** Runs `body` with a host over the store at `path` (kept after the run, so a second host can reopen it). */
export const withHost = <A, E>(
  path: string,
  body: (host: ExecutionRef) => Effect.Effect<A, E, Store | ActorSystem.ActorSystem | Scope.Scope>,
  options: ExecutionOptions = hostOptions(),
  intrinsics: ReadonlyArray<Intrinsic> = allIntrinsics,
): Promise<A> => {
  const base = Layer.merge(ActorSystem.layer(), StoreLive({ path }))
  const layer = ExecutionLive(intrinsics, options).pipe(Layer.provideMerge(base))
  return Effect.runPromise(Effect.scoped(Effect.flatMap(Execution, body)).pipe(Effect.provide(layer)) as Effect.Effect<A, never>)
}

export const addr = (n: number): Uint8Array => new Uint8Array(32).fill(n)

export const put = (n: number, text: string): Uint8Array => notePut.encode({ domain: noteDomain, address: addr(n), note: new TextEncoder().encode(text) })
export const remove = (n: number): Uint8Array => noteRemove.encode({ domain: noteDomain, address: addr(n) })
export const pay = (...fees: ReadonlyArray<bigint>): Uint8Array => payOp.encode({ fees })

export const bundle = (domain: Uint8Array, ...requests: ReadonlyArray<Uint8Array>): Uint8Array => encodeBundle({ domain, requests, timestamp: 1n })
/** A note bundle paying 1000 per consumer. */
export const notes = (...requests: ReadonlyArray<Uint8Array>): Uint8Array => bundle(noteDomain, pay(...requests.map(() => 1000n)), ...requests)

/** Raw rows of a bucket (key hex → value hex), for byte-exact comparisons. */
export const rawRows = (bucket: (typeof Buckets)[keyof typeof Buckets]) =>
  Effect.map(Store, (store) => {
    const repo = store.repository(defineRepository({ bucket, key: KeyCodec.bytes, value: ValueCodec.raw }))
    return repo.range().map((e) => [Buffer.from(e.key).toString("hex"), Buffer.from(e.value).toString("hex")] as const)
  })

export { Buckets }
