/**
 * quilbun actor kernel: typed actors on Effect with bounded mailboxes, supervisors and a scoped
 * actor system. Semantics (mailbox across restarts, pending asks, stop order, ...) are documented in
 * runtime/kernel/actor/README.md.
 *
 * - `Protocol.make(name, ...schemas)`: tells are Schema.TaggedClass, asks are Schema.TaggedRequest.
 * - `Actor.make(name, protocol, { init, handlers, terminate? }, options?)` → ActorSpec; `init(ctx)` and
 *   the handlers get the actor context (`self`, `path`, `parent`, `stop`), so init can arm its own timers.
 * - `Supervisor.make(name, { strategy, children }, options?)` → SupervisorSpec (nests).
 * - `ActorSystem.layer(config?)` / `ActorSystem.make(config?)` (scoped) → ActorSystemService.
 * - `ActorRef<M>`: `tell`, `unsafeTell`, `ask(msg, timeout?)`, `path`, `protocol`.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Actor, ActorSystem, Protocol, Supervisor } from "quilbun/runtime"
 *
 * class Add extends Schema.TaggedClass<Add>()("Add", { n: Schema.Number }) {}
 * class Get extends Schema.TaggedRequest<Get>()("Get", { payload: {}, success: Schema.Number, failure: Schema.Never }) {}
 * class Div extends Schema.TaggedRequest<Div>()("Div", { payload: { by: Schema.Number }, success: Schema.Number, failure: Schema.String }) {}
 * const Counter = Protocol.make("Counter", Add, Get, Div)
 *
 * const counter = Actor.make("counter", Counter, {
 *   init: () => Effect.succeed(0),
 *   handlers: {
 *     Add: (n, m) => Effect.succeed(n + m.n),                 // tell: next state
 *     Get: (n) => Effect.succeed([n, n] as const),            // ask: [next state, reply]
 *     Div: (n, m) => (m.by === 0 ? Effect.fail("div by zero") : Effect.succeed([n / m.by, n / m.by] as const))
 *   }
 * }, { mailbox: { capacity: 1024, overflow: "backpressure" }, kind: "permanent" })
 *
 * const program = Effect.gen(function* () {
 *   const system = yield* ActorSystem.ActorSystem
 *   const ref = yield* system.spawn(counter)                 // path /root/counter
 *   yield* ref.tell(new Add({ n: 2 }))
 *   const n = yield* ref.ask(new Get(), "1 second")          // 2 (or AskTimeout | ActorStopped | ...)
 *   yield* system.spawnSupervisor(Supervisor.make("workers", { strategy: "one-for-all", children: [counter] }))
 *   const inner = yield* system.lookup("/root/workers/counter", Counter)
 *   yield* inner.tell(new Add({ n }))
 *   return yield* system.snapshot                              // plain JSON tree with per-actor stats
 * })
 * void Effect.runPromise(Effect.provide(program, ActorSystem.layer()))
 * ```
 */
export * as Actor from "./actor/actor.ts"
export * as ActorSystem from "./actor/system.ts"
export * as Backoff from "./actor/backoff.ts"
export * as ActorMetrics from "./actor/metrics.ts"
export * as Protocol from "./actor/protocol.ts"
export * as Snapshot from "./actor/snapshot.ts"
export * as Supervisor from "./actor/supervisor.ts"
export { ActorMailbox } from "./actor/mailbox.ts"
export type { OverflowPolicy } from "./actor/mailbox.ts"
export type { ActorRef } from "./actor/ref.ts"
export type { ActorContext, ActorOptions, ActorSpec, Behavior, Handlers, MailboxOptions } from "./actor/actor.ts"
export type { ActorSystemConfig, ActorSystemService } from "./actor/system.ts"
export type { AskExit, AskMessage, AsksOf, FailureOf, Message, ReplyOf, TellsOf } from "./actor/protocol.ts"
export type { ChildKind, ActorSnapshot, NodeStatus } from "./actor/snapshot.ts"
export type { ChildOptions, Intensity } from "./actor/node.ts"
export type { ChildSpec, Strategy, SupervisorRef, SupervisorSpec } from "./actor/supervisor.ts"
export {
  ActorNotFound,
  ActorRestarted,
  ActorStopped,
  ActorUnreachable,
  AskTimeout,
  KernelError,
  MailboxFull,
  SupervisorGaveUp,
} from "./actor/errors.ts"
export type { AskError } from "./actor/errors.ts"
