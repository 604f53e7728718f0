import { describe, expect, test } from "bun:test"
import { Data, Effect, Either } from "effect"
import { makeMemoryTransportPair } from "../../../../../runtime/kernel/process/memory-transport.ts"
import { makeRpcPeer } from "../../../../../runtime/kernel/process/rpc.ts"

class Nope extends Data.TaggedError("Nope")<{ readonly reason: string; readonly code: number }> {}

const run = <A, E>(eff: Effect.Effect<A, E, import("effect").Scope.Scope>) => Effect.runPromise(Effect.scoped(eff))

describe("rpc over a transport", () => {
  test("both sides call each other; replies keep bytes", async () => {
    const { a, b } = makeMemoryTransportPair()
    await run(
      Effect.gen(function* () {
        const master = yield* makeRpcPeer(a, { core: 1, handlers: { hello: (p) => Effect.succeed(`master got ${String(p)}`) } })
        const worker = yield* makeRpcPeer(b, {
          core: 0,
          handlers: { echo: (p) => Effect.succeed(p) },
        })
        expect(yield* master.call("echo", new Uint8Array([9, 8]))).toEqual(new Uint8Array([9, 8]))
        expect(yield* worker.call("hello", "x")).toBe("master got x")
        const many = yield* Effect.all(
          Array.from({ length: 50 }, (_, i) => master.call("echo", i)),
          { concurrency: "unbounded" },
        )
        expect(many).toEqual(Array.from({ length: 50 }, (_, i) => i))
        expect(master.inFlight()).toBe(0)
      }),
    )
  })

  test("a handler failure arrives as RemoteFailure with its tag and fields", async () => {
    const { a, b } = makeMemoryTransportPair()
    await run(
      Effect.gen(function* () {
        const master = yield* makeRpcPeer(a, { core: 3, handlers: {} })
        yield* makeRpcPeer(b, { core: 0, handlers: { fail: () => Effect.fail(new Nope({ reason: "bad", code: 4 })) } })
        const failed = yield* Effect.either(master.call("fail", null))
        expect(Either.isLeft(failed)).toBe(true)
        if (Either.isLeft(failed)) {
          expect(failed.left._tag).toBe("RemoteFailure")
          if (failed.left._tag === "RemoteFailure") {
            expect(failed.left.core).toBe(3)
            expect(failed.left.tag).toBe("fail")
            expect(failed.left.error._tag).toBe("Nope")
            expect(failed.left.error.fields).toEqual({ reason: "bad", code: 4 })
          }
        }
        const unknown = yield* Effect.either(master.call("missing", null))
        expect(Either.isLeft(unknown) && unknown.left._tag === "RemoteFailure" ? unknown.left.error._tag : "").toBe("UnknownRequest")
      }),
    )
  })

  test("pending calls fail with WorkerCrashed when the link is severed, later calls at once", async () => {
    const { a, b, sever } = makeMemoryTransportPair()
    await run(
      Effect.gen(function* () {
        const master = yield* makeRpcPeer(a, { core: 2, handlers: {} })
        yield* makeRpcPeer(b, { core: 0, handlers: { hang: () => Effect.never } })
        const pending = yield* Effect.fork(Effect.either(master.call("hang", null)))
        yield* Effect.sleep("10 millis")
        expect(master.inFlight()).toBe(1)
        sever({ exitCode: null, signal: "SIGKILL" })
        const result = yield* pending.await.pipe(Effect.flatten)
        expect(Either.isLeft(result) ? result.left : undefined).toMatchObject({ _tag: "WorkerCrashed", core: 2, signal: "SIGKILL" })
        const after = yield* Effect.either(master.call("hang", null))
        expect(Either.isLeft(after) ? after.left._tag : "").toBe("WorkerCrashed")
        expect(master.inFlight()).toBe(0)
      }),
    )
  })

  test("an interrupted call is forgotten (no leak)", async () => {
    const { a, b } = makeMemoryTransportPair()
    await run(
      Effect.gen(function* () {
        const master = yield* makeRpcPeer(a, { core: 1, handlers: {} })
        yield* makeRpcPeer(b, { core: 0, handlers: { hang: () => Effect.never } })
        const r = yield* master.call("hang", null).pipe(Effect.timeoutOption("20 millis"))
        expect(r._tag).toBe("None")
        expect(master.inFlight()).toBe(0)
      }),
    )
  })
})
