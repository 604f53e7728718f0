import { describe, expect, test } from "bun:test"
import { Effect, Either, Schema } from "effect"
import { WorkerStatus, WorkerTag } from "../../runtime/kernel/process/protocol.ts"
import { existsSync } from "node:fs"
import { makeNode, startNode } from "quilbun/embed"
import { Echo, ProbeProtocol, Refuse, Where } from "../../runtime/node/probe.ts"
import { flatten } from "../../runtime/kernel/actor/snapshot.ts"
import type { ActorSnapshot } from "../../runtime/kernel/actor/snapshot.ts"

describe("embedding", () => {
  test("two nodes in one process; refs reach actors inside worker processes", async () => {
    await using a = await startNode({ workers: 1 })
    await using b = await startNode({ workers: 1 })
    expect(a.port).not.toBe(b.port)
    expect(a.nodeId).not.toBe(b.nodeId)
    const probe = await Effect.runPromise(a.workers.ref(1, "/worker-1/probe", ProbeProtocol))
    const where = await Effect.runPromise(probe.ask(new Where()))
    expect(where.core).toBe(1)
    expect(where.pid).not.toBe(process.pid)
    // Bytes survive the boundary; declared failures arrive typed.
    expect(await Effect.runPromise(probe.ask(new Echo({ value: new Uint8Array([1, 2, 3]) })))).toEqual(new Uint8Array([1, 2, 3]))
    const refused = await Effect.runPromise(Effect.either(probe.ask(new Refuse({ reason: "no" }))))
    expect(Either.isLeft(refused) ? refused.left : undefined).toMatchObject({ _tag: "ProbeRefused", reason: "no" })
    // The master tree shows the worker process and its own supervisor.
    const tree = await Effect.runPromise(a.actors)
    const paths = flatten(tree as unknown as ActorSnapshot).map((n) => n.path)
    expect(paths).toContain("/root/worker-manager")
    expect(paths).toContain("/worker-1/probe")
    // The API answers with the token and refuses without it.
    expect((await a.fetch("/health")).status).toBe(200)
    expect((await b.fetch("/v1/log-level", { method: "POST", body: JSON.stringify({ level: "info" }) })).status).toBe(401)
    expect((await b.fetch("/v1/log-level", { method: "POST", body: JSON.stringify({ level: "debug" }), auth: true })).status).toBe(200)
    // The level reaches the running worker, and a restarted worker starts with it.
    const statusOf = () =>
      Effect.runPromise(Effect.flatMap(b.workers.slot(1), (slot) => slot.call(WorkerTag.status, null)).pipe(Effect.flatMap(Schema.decodeUnknown(WorkerStatus))))
    expect((await statusOf()).logLevel).toBe("debug")
    const before = (await statusOf()).pid
    await Effect.runPromise(b.workers.restart(1))
    for (let i = 0; i < 200 && (await Effect.runPromise(b.workerList))[0]?.pid === before; i++) await Bun.sleep(25)
    const after = await statusOf()
    expect(after.pid).not.toBe(before)
    expect(after.logLevel).toBe("debug")
  }, 30000)

  test("scoped Effect API: the node and its workers stop with the scope", async () => {
    let dataDir = ""
    let pid = 0
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const node = yield* makeNode({ workers: 1 })
          dataDir = node.dataDir
          const [worker] = yield* node.workerList
          pid = worker?.pid ?? 0
          expect(worker?.state).toBe("running")
        }),
      ),
    )
    expect(pid).toBeGreaterThan(0)
    const alive = (() => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })()
    expect(alive).toBe(false)
    expect(existsSync(dataDir)).toBe(false)
  }, 30000)

  test("a restart on the same data dir reads back the node record", async () => {
    const first = await startNode({ workers: 1, keepDataDir: true })
    const dataDir = first.dataDir
    const info1 = await Effect.runPromise(first.info)
    await first.stop()
    await using second = await startNode({ workers: 1, dataDir })
    const info2 = await Effect.runPromise(second.info)
    expect(info2.nodeId).toBe(info1.nodeId)
    expect(info2.store?.boots).toBe((info1.store?.boots ?? 0) + 1)
    expect(info2.store?.heartbeat ?? 0).toBeGreaterThanOrEqual(info1.store?.heartbeat ?? 0)
    await second.stop()
    const { rmSync } = await import("node:fs")
    rmSync(dataDir, { recursive: true, force: true })
  }, 30000)
})
