// Remote refs over an in-memory link to a worker host: replies, declared failures and kernel
// errors arrive typed; a dying link fails the in-flight ask instead of hanging it.
import { describe, expect, test } from "bun:test"
import { Effect, Either, Fiber, Layer } from "effect"
import { ActorSystem } from "../../../../../runtime/kernel/index.ts"
import { LoggingLive } from "../../../../../runtime/kernel/logging.ts"
import { Echo, ProbeProtocol, probeActor, Refuse, Where, Count } from "../../../../../runtime/node/probe.ts"
import { makeActorEndpoint } from "../../../../../runtime/kernel/process/actor-endpoint.ts"
import { makeMemoryTransportPair } from "../../../../../runtime/kernel/process/memory-transport.ts"
import { makeRemoteRef } from "../../../../../runtime/kernel/process/remote-ref.ts"
import { makeRpcPeer } from "../../../../../runtime/kernel/process/rpc.ts"
import { WorkerHostLive } from "../../../../../runtime/kernel/process/worker-host.ts"
import type { Message, Protocol as ProtocolT } from "../../../../../runtime/kernel/actor/protocol.ts"
import { Actor, Protocol } from "../../../../../runtime/kernel/index.ts"
import { Option, Schema } from "effect"

// A protocol whose messages and replies need real Schema encoding (Date ↔ string, Option).
class Stamp extends Schema.TaggedRequest<Stamp>()("Stamp", {
  payload: { at: Schema.Date },
  success: Schema.Option(Schema.Number),
  failure: Schema.Never,
}) {}
const StampProtocol = Protocol.make("Stamp", Stamp)
const stampActor = Actor.make("stamp", StampProtocol, {
  init: () => Effect.succeed(null),
  handlers: { Stamp: (s, m) => Effect.succeed([s, m.at.getTime() > 0 ? Option.some(m.at.getTime()) : Option.none()] as const) },
})

// Answers after a real delay, so an ask can be interrupted or time out while it is on the link.
class Nap extends Schema.TaggedRequest<Nap>()("Nap", {
  payload: { millis: Schema.Number },
  success: Schema.Number,
  failure: Schema.Never,
}) {}
const NapProtocol = Protocol.make("Nap", Nap)
const napActor = Actor.make("nap", NapProtocol, {
  init: () => Effect.succeed(null),
  handlers: { Nap: (s, m) => Effect.as(Effect.sleep(m.millis), [s, m.millis] as const) },
})

const setup = Effect.gen(function* () {
  const link = makeMemoryTransportPair()
  const system = yield* ActorSystem.ActorSystem
  yield* system.spawn(probeActor(7))
  yield* system.spawn(stampActor)
  yield* system.spawn(napActor)
  const exports = new Map<string, ProtocolT<Message>>([
    ["/root/probe", ProbeProtocol as unknown as ProtocolT<Message>],
    ["/root/stamp", StampProtocol as unknown as ProtocolT<Message>],
    ["/root/nap", NapProtocol as unknown as ProtocolT<Message>],
  ])
  yield* Layer.build(WorkerHostLive({ core: 7, transport: link.b, endpoint: makeActorEndpoint(system, exports) }))
  const master = yield* makeRpcPeer(link.a, { core: 7, handlers: {} })
  const slot = { core: 7, call: master.call, livePeer: () => master }
  return {
    link,
    master,
    probe: makeRemoteRef(slot, "/root/probe", ProbeProtocol),
    hidden: makeRemoteRef(slot, "/root/hidden", ProbeProtocol),
    stamp: makeRemoteRef(slot, "/root/stamp", StampProtocol),
    nap: makeRemoteRef(slot, "/root/nap", NapProtocol),
  }
})

const run = <A>(body: (env: Effect.Effect.Success<typeof setup>) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(setup, body)).pipe(Effect.provide(Layer.merge(ActorSystem.layer(), LoggingLive({ format: "json", level: "none" })))),
  )

describe("remote actor refs", () => {
  test("ask, tell and declared failures behave as with a local ref", async () => {
    await run(({ probe }) =>
      Effect.gen(function* () {
        expect(yield* probe.ask(new Echo({ value: { n: 1n, bytes: new Uint8Array([5]) } }))).toEqual({ n: 1n, bytes: new Uint8Array([5]) })
        yield* probe.tell(new Count())
        yield* probe.tell(new Count())
        const where = yield* probe.ask(new Where(), "2 seconds")
        expect(where).toEqual({ pid: process.pid, core: 7, counted: 2 })
        const refused = yield* Effect.either(probe.ask(new Refuse({ reason: "nope" })))
        expect(Either.isLeft(refused) ? refused.left : undefined).toMatchObject({ _tag: "ProbeRefused", reason: "nope" })
      }),
    )
  })

  test("messages and replies that need Schema encoding take the full codec path", async () => {
    await run(({ stamp }) =>
      Effect.gen(function* () {
        expect(yield* stamp.ask(new Stamp({ at: new Date(1234) }))).toEqual(Option.some(1234))
        expect(yield* stamp.ask(new Stamp({ at: new Date(0) }))).toEqual(Option.none())
      }),
    )
  })

  test("an actor that is not exported is unreachable (typed, no hang)", async () => {
    await run(({ hidden }) =>
      Effect.gen(function* () {
        const result = yield* Effect.either(hidden.ask(new Where(), "2 seconds"))
        expect(Either.isLeft(result) ? result.left._tag : "").toBe("ActorUnreachable")
        expect(Either.isLeft(result) && result.left._tag === "ActorUnreachable" ? result.left.reason : "").toContain("ActorNotFound")
      }),
    )
  })

  test("a link that dies during an ask fails it with ActorUnreachable naming WorkerCrashed", async () => {
    await run(({ probe, link }) =>
      Effect.gen(function* () {
        // Sever while the request is on its way.
        const pending = yield* Effect.fork(Effect.either(probe.ask(new Where())))
        link.sever({ exitCode: null, signal: "SIGKILL" })
        const result = yield* pending.await.pipe(Effect.flatten)
        expect(Either.isLeft(result) ? result.left : undefined).toMatchObject({ _tag: "ActorUnreachable", path: "/root/probe" })
        expect(Either.isLeft(result) && result.left._tag === "ActorUnreachable" ? result.left.reason : "").toContain("WorkerCrashed")
      }),
    )
  })

  test("the worker decodes what arrives: malformed messages and tells sent as asks are refused", async () => {
    await run(({ master }) =>
      Effect.gen(function* () {
        const reason = (payload: unknown) =>
          Effect.either(master.call("actor.ask", payload)).pipe(
            Effect.map((r) => (Either.isLeft(r) && r.left._tag === "RemoteFailure" ? r.left.error._tag : "no failure")),
          )
        expect(yield* reason(["/root/probe", { _tag: "Refuse", reason: 5 }])).toBe("ParseError")
        expect(yield* reason(["/root/probe", { _tag: "Nope" }])).toBe("ParseError")
        expect(yield* reason(["/root/probe", { _tag: "Count" }])).toBe("ActorNotFound")
        expect(yield* reason(["/root/probe"])).toBe("ParseError")
        // The same frames answered correctly still work afterwards.
        expect(yield* master.call("actor.ask", ["/root/probe", { _tag: "Echo", value: 3 }])).toEqual({ _tag: "Success", value: 3 })
      }),
    )
  })

  test("many asks in flight each get their own reply; an ask timeout still applies", async () => {
    await run(({ probe, master }) =>
      Effect.gen(function* () {
        const replies = yield* Effect.forEach(
          Array.from({ length: 200 }, (_, i) => i),
          (i) => probe.ask(new Echo({ value: i })),
          {
            concurrency: "unbounded",
          },
        )
        expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => i))
        expect(master.inFlight()).toBe(0)
        expect(yield* probe.ask(new Echo({ value: "t" }), "2 seconds")).toBe("t")
      }),
    )
  })

  test("a timed-out ask is forgotten at once; an interrupted one when its late reply comes", async () => {
    await run(({ nap, master }) =>
      Effect.gen(function* () {
        const timedOut = yield* Effect.either(nap.ask(new Nap({ millis: 80 }), "10 millis"))
        expect(Either.isLeft(timedOut) ? timedOut.left._tag : "").toBe("AskTimeout")
        expect(master.inFlight()).toBe(0)
        // Without a timeout there is no canceler (it is the hot path): the pending entry stays
        // until the worker's reply arrives, which is then dropped.
        const asking = yield* Effect.fork(nap.ask(new Nap({ millis: 80 })))
        yield* Effect.sleep("10 millis")
        yield* Fiber.interrupt(asking)
        expect(master.inFlight()).toBe(1)
        // Both naps run back to back (~160 ms); allow for a loaded machine.
        for (let waited = 0; master.inFlight() > 0 && waited < 3000; waited += 20) yield* Effect.sleep("20 millis")
        expect(master.inFlight()).toBe(0)
        // The link is unharmed.
        expect(yield* nap.ask(new Nap({ millis: 1 }))).toBe(1)
      }),
    )
  })
})
