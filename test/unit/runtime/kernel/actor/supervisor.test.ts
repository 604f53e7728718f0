import { describe, expect, test } from "bun:test"
import { Clock, Effect, Layer, Logger, Random, Schema, TestClock } from "effect"
import { Actor, Backoff, Protocol, Snapshot, Supervisor } from "../../../../../runtime/kernel/index.ts"
import type { ActorOptions, ChildKind, Strategy } from "../../../../../runtime/kernel/index.ts"
import { Add, Crash, Get, Probe, probe, runTest, Stop, waitUntil, withSystem } from "./fixtures.ts"

const fast: ActorOptions = { backoff: Backoff.immediate, intensity: { maxRestarts: 100, within: "1 second" } }

const tree = (strategy: Strategy, log: Array<string>) =>
  Supervisor.make("sup", { strategy, children: [probe("a", log, fast), probe("b", log, fast), probe("c", log, fast)] })

const crashB = (strategy: Strategy) =>
  runTest(
    withSystem((system) =>
      Effect.gen(function* () {
        const log: Array<string> = []
        yield* system.spawnSupervisor(tree(strategy, log))
        const refs = yield* Effect.forEach(["a", "b", "c"], (n) => system.lookup(`/root/sup/${n}`, Probe))
        for (const ref of refs) yield* ref.tell(new Add({ n: 5 }))
        for (const ref of refs) yield* ref.ask(new Get()) // all started and hold 5
        log.length = 0
        yield* (refs[1] as (typeof refs)[number]).tell(new Crash())
        yield* waitUntil(() => log.filter((l) => l.endsWith(":init")).length >= (strategy === "one-for-one" ? 1 : strategy === "one-for-all" ? 3 : 2))
        const values = yield* Effect.forEach(refs, (ref) => ref.ask(new Get()))
        const snap = yield* system.snapshot
        return { log: [...log], values, restarts: Snapshot.find(snap, "/root/sup")?.children.map((c) => c.restarts) }
      }),
    ),
  )

describe("restart strategies", () => {
  test("one-for-one restarts only the crashed child", async () => {
    const out = await crashB("one-for-one")
    expect(out.log).toEqual(["b:terminate", "b:init"])
    expect(out.values).toEqual([5, 0, 5])
    expect(out.restarts).toEqual([0, 1, 0])
  })

  test("one-for-all stops the others in reverse order, then restarts all in start order", async () => {
    const out = await crashB("one-for-all")
    expect(out.log).toEqual(["b:terminate", "c:terminate", "a:terminate", "a:init", "b:init", "c:init"])
    expect(out.values).toEqual([0, 0, 0])
    expect(out.restarts).toEqual([1, 1, 1])
  })

  test("rest-for-one restarts the crashed child and those started after it", async () => {
    const out = await crashB("rest-for-one")
    expect(out.log).toEqual(["b:terminate", "c:terminate", "b:init", "c:init"])
    expect(out.values).toEqual([5, 0, 0])
    expect(out.restarts).toEqual([0, 1, 1])
  })
})

describe("child kinds", () => {
  const run = (kind: ChildKind, how: "crash" | "normal") =>
    runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const log: Array<string> = []
          const ref = yield* system.spawn(probe("k", log, { ...fast, kind }))
          yield* ref.ask(new Get())
          yield* ref.tell(how === "crash" ? new Crash() : new Stop())
          yield* waitUntil(() => log.length >= 2)
          yield* Effect.repeatN(Effect.yieldNow(), 20)
          const snap = Snapshot.find(yield* system.snapshot, "/root/k")
          const alive = yield* Effect.either(ref.ask(new Get()))
          return { log: [...log], present: snap !== undefined, restarts: snap?.restarts ?? -1, alive: alive._tag }
        }),
      ),
    )

  test("permanent: restarted after a crash and after a normal exit", async () => {
    expect(await run("permanent", "crash")).toEqual({ log: ["k:init", "k:terminate", "k:init"], present: true, restarts: 1, alive: "Right" })
    expect(await run("permanent", "normal")).toEqual({ log: ["k:init", "k:terminate", "k:init"], present: true, restarts: 1, alive: "Right" })
  })

  test("transient: restarted after a crash, removed after a normal exit", async () => {
    expect(await run("transient", "crash")).toEqual({ log: ["k:init", "k:terminate", "k:init"], present: true, restarts: 1, alive: "Right" })
    expect(await run("transient", "normal")).toEqual({ log: ["k:init", "k:terminate"], present: false, restarts: -1, alive: "Left" })
  })

  test("temporary: never restarted", async () => {
    expect(await run("temporary", "crash")).toEqual({ log: ["k:init", "k:terminate"], present: false, restarts: -1, alive: "Left" })
    expect(await run("temporary", "normal")).toEqual({ log: ["k:init", "k:terminate"], present: false, restarts: -1, alive: "Left" })
  })
})

describe("intensity and escalation", () => {
  test("more than maxRestarts within the window: the supervisor gives up and its parent restarts it", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const log: Array<string> = []
          const child = probe("w", log, { backoff: Backoff.immediate, intensity: { maxRestarts: 2, within: "1 minute" } })
          yield* system.spawnSupervisor(
            Supervisor.make("mid", { children: [child] }, { backoff: Backoff.immediate, intensity: { maxRestarts: 5, within: "1 minute" } }),
          )
          const ref = yield* system.lookup("/root/mid/w", Probe)
          for (let i = 1; i <= 3; i++) {
            yield* ref.ask(new Get())
            yield* ref.tell(new Crash())
            yield* waitUntil(() => log.filter((l) => l === "w:init").length === i + 1)
          }
          const snap = yield* system.snapshot
          const mid = Snapshot.find(snap, "/root/mid")
          return {
            inits: log.filter((l) => l === "w:init").length,
            midRestarts: mid?.restarts,
            midFailure: mid?.lastFailure,
            w: Snapshot.find(snap, "/root/mid/w"),
          }
        }),
      ),
    )
    expect(out.inits).toBe(4)
    expect(out.midRestarts).toBe(1) // the third crash exceeded 2 restarts/minute: escalated, mid restarted
    expect(out.midFailure).toContain("gave up on /root/mid/w")
    expect(out.w?.restarts).toBe(2) // the subtree restart starts the child afresh (not counted as its own restart)
  })

  test("restarts older than the window do not count", async () => {
    const inits = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          const log: Array<string> = []
          const ref = yield* system.spawn(probe("w", log, { backoff: Backoff.immediate, intensity: { maxRestarts: 1, within: "1 second" } }))
          for (let i = 1; i <= 4; i++) {
            yield* ref.ask(new Get())
            yield* ref.tell(new Crash())
            yield* waitUntil(() => log.filter((l) => l === "w:init").length === i + 1)
            yield* TestClock.adjust("2 seconds")
          }
          return log.filter((l) => l === "w:init").length
        }),
      ),
    )
    expect(inits).toBe(5)
  })

  test("escalation at the root stops the system with one clear log line", async () => {
    const lines: Array<string> = []
    const capture = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      }),
    )
    const out = await runTest(
      Effect.scoped(
        Effect.gen(function* () {
          const { make } = yield* Effect.promise(() => import("../../../../../runtime/kernel/actor/system.ts"))
          const system = yield* make()
          const log: Array<string> = []
          const ref = yield* system.spawn(probe("w", log, { backoff: Backoff.immediate, intensity: { maxRestarts: 0, within: "1 minute" } }))
          const other = yield* system.spawn(probe("x", log))
          yield* ref.ask(new Get())
          yield* ref.tell(new Crash())
          yield* system.awaitTermination
          const afterStop = yield* Effect.either(other.ask(new Get()))
          return { afterStop: afterStop._tag, status: (yield* system.snapshot).status, fibers: system.liveFibers(), log }
        }),
      ).pipe(Effect.provide(Layer.merge(capture, Layer.empty))),
    )
    const errors = lines.filter((l) => l.startsWith("ERROR"))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain("actor system stopped: root supervisor gave up: /root/w")
    expect(out.afterStop).toBe("Left")
    expect(out.status).toBe("stopped")
    expect(out.fibers).toBe(0)
    expect(out.log).toEqual(["w:init", "x:init", "w:terminate", "x:terminate"])
  })
})

// An actor that records the Clock time of each (re)start and of each crash.
const timed = (times: Array<number>, crashes: Array<number>, backoff: ActorOptions["backoff"]) =>
  Actor.make(
    "t",
    Probe,
    {
      init: () =>
        Effect.gen(function* () {
          times.push(yield* Clock.currentTimeMillis)
          return 0
        }),
      handlers: {
        Add: (n, m) => Effect.succeed(n + m.n),
        Put: (n) => Effect.succeed(n),
        Crash: () =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            crashes.push(now)
            return Effect.die("crash")
          }),
        Stop: (n) => Effect.succeed(n),
        Get: (n) => Effect.succeed([n, n] as const),
        Seen: (n) => Effect.succeed([n, []] as const),
        Div: (n) => Effect.succeed([n, n] as const),
        Boom: () => Effect.die("boom"),
        Sleep: (n) => Effect.succeed([n, n] as const),
      },
    },
    { backoff, intensity: { maxRestarts: 100, within: "1 hour" } },
  )

const crashTimes = (backoff: ActorOptions["backoff"], crashes: number) =>
  withSystem((system) =>
    Effect.gen(function* () {
      const times: Array<number> = []
      const crashAt: Array<number> = []
      const ref = yield* system.spawn(timed(times, crashAt, backoff))
      yield* waitUntil(() => times.length === 1)
      for (let i = 1; i <= crashes; i++) {
        yield* ref.tell(new Crash())
        // TestClock runs each due sleep with the clock set to its deadline, so big steps keep exact times.
        while (times.length < i + 1) yield* TestClock.adjust("50 millis")
      }
      // Delay between each crash and the restart that followed it.
      return crashAt.map((t, i) => (times[i + 1] as number) - t)
    }),
  )

describe("backoff", () => {
  test("exponential backoff with a cap, exact under TestClock", async () => {
    const times = await runTest(crashTimes(Backoff.exponential({ base: "100 millis", factor: 2, cap: "500 millis", jitter: false }), 5))
    expect(times).toEqual([100, 200, 400, 500, 500])
  })

  test("jitter comes from the Random service: same seed, same schedule", async () => {
    const jittered = Backoff.exponential({ base: "100 millis", factor: 2, cap: "10 seconds" })
    const withSeed = (seed: number) => runTest(Effect.withRandom(crashTimes(jittered, 4), Random.make(seed)))
    const a = await withSeed(42)
    const b = await withSeed(42)
    const c = await withSeed(7)
    expect(a).toEqual(b)
    expect(a).not.toEqual(c)
    a.forEach((delay, i) => {
      const nominal = 100 * 2 ** i
      expect(delay).toBeGreaterThanOrEqual(nominal * 0.8)
      expect(delay).toBeLessThanOrEqual(nominal * 1.2)
    })
  })
})

describe("dynamic children", () => {
  test("children added at run time under a supervisor, looked up by path, stopped by name", async () => {
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          yield* system.spawnSupervisor(Supervisor.make("shards", { strategy: "one-for-one" }))
          const shards = yield* system.lookupSupervisor("/root/shards")
          for (let i = 0; i < 3; i++) {
            const ref = yield* shards.spawn(probe(`shard-${i}`))
            yield* ref.tell(new Add({ n: i }))
          }
          const ref2 = yield* system.lookup("/root/shards/shard-2", Probe)
          const v = yield* ref2.ask(new Get())
          yield* shards.stopChild("shard-1")
          const missing = yield* Effect.either(system.lookup("/root/shards/shard-1", Probe))
          const wrongProtocol = yield* Effect.either(system.lookupSupervisor("/root/shards/shard-0"))
          const names = Snapshot.find(yield* system.snapshot, "/root/shards")?.children.map((c) => c.name)
          return { v, missing: missing._tag, wrongProtocol: wrongProtocol._tag, names }
        }),
      ),
    )
    expect(out).toEqual({ v: 2, missing: "Left", wrongProtocol: "Left", names: ["shard-0", "shard-2"] })
  })

  test("an actor spawns siblings at run time through ctx.parent (one worker per shard)", async () => {
    class Open extends Schema.TaggedRequest<Open>()("Open", {
      payload: { shard: Schema.Number },
      success: Schema.String,
      failure: Schema.Never,
    }) {}
    const Router = Protocol.make("Router", Open)
    const router = Actor.make("router", Router, {
      init: () => Effect.succeed(new Set<number>()),
      handlers: {
        Open: (open, m, ctx) =>
          open.has(m.shard)
            ? Effect.succeed([open, `${ctx.parent.path}/shard-${m.shard}`] as const)
            : Effect.map(Effect.orDie(ctx.parent.spawn(probe(`shard-${m.shard}`))), (ref) => [new Set([...open, m.shard]), ref.path] as const),
      },
    })
    const out = await runTest(
      withSystem((system) =>
        Effect.gen(function* () {
          yield* system.spawnSupervisor(Supervisor.make("shards", { children: [router] }))
          const ref = yield* system.lookup("/root/shards/router", Router)
          const paths = yield* Effect.forEach([3, 5, 3], (shard) => ref.ask(new Open({ shard })))
          const shard5 = yield* system.lookup("/root/shards/shard-5", Probe)
          yield* shard5.tell(new Add({ n: 4 }))
          return { paths, v: yield* shard5.ask(new Get()), names: Snapshot.find(yield* system.snapshot, "/root/shards")?.children.map((c) => c.name) }
        }),
      ),
    )
    expect(out).toEqual({
      paths: ["/root/shards/shard-3", "/root/shards/shard-5", "/root/shards/shard-3"],
      v: 4,
      names: ["router", "shard-3", "shard-5"],
    })
  })
})
