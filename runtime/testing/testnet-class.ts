// `Testnet.start(options)`: the testnet kit (testnet.ts) as Promises, for plugin authors' tests. The
// testnet lives in its own runtime with Effect's TestContext, so its clock is a TestClock that only its
// own calls move: `advance(frames)`, and `submit` / `query` while they wait. Calls that wait take turns
// on the clock. A typed failure rejects the Promise with the error itself (`_tag` and fields), not a
// wrapper. `await using net = await Testnet.start(...)` stops it at the end of the block.
import { Effect, Either, Exit, Logger, LogLevel, ManagedRuntime, Scope, TestContext, Layer } from "effect"
import type { ShardView } from "../../actors/consensus/app/shard-host-protocol.ts"
import type { ConsensusStatus } from "../../actors/consensus/global/protocol.ts"
import type { Builders, Intrinsic } from "../../intrinsics/contract/index.ts"
import type { AppProposalFault } from "./app-byzantine.ts"
import {
  type ArgsOf,
  type CommittedAppFrame,
  makeTestnet,
  type NodeOption,
  type ShardRoots,
  type TestnetCommit,
  type TestnetOptions,
  type TestnetService,
} from "./testnet.ts"

export interface TestnetStartOptions extends TestnetOptions {
  /** Log lines at or above this level reach the console (default Error: a testnet is chatty). */
  readonly logLevel?: LogLevel.LogLevel
}

export class Testnet implements AsyncDisposable {
  private stopped = false

  private constructor(
    private readonly runtime: ManagedRuntime.ManagedRuntime<never, never>,
    private readonly scope: Scope.CloseableScope,
    /** The Effect form, for tests that compose Effects (its effects need this testnet's runtime: use `run`). */
    readonly service: TestnetService,
  ) {}

  static async start(options: TestnetStartOptions = {}): Promise<Testnet> {
    const runtime = ManagedRuntime.make(Layer.merge(TestContext.TestContext, Logger.minimumLogLevel(options.logLevel ?? LogLevel.Error)))
    const scope = await runtime.runPromise(Scope.make())
    const built = await runtime.runPromiseExit(Scope.extend(makeTestnet(options), scope))
    if (Exit.isFailure(built)) {
      await runtime.runPromise(Scope.close(scope, built))
      await runtime.dispose()
      throw new Error("the testnet did not start", { cause: built.cause })
    }
    return new Testnet(runtime, scope, built.value)
  }

  /** Runs an Effect on this testnet's runtime (its TestClock); a typed failure rejects with the error. */
  async run<A, E>(effect: Effect.Effect<A, E>): Promise<A> {
    if (this.stopped) throw new Error("the testnet is stopped")
    const result = await this.runtime.runPromise(Effect.either(effect))
    if (Either.isLeft(result)) throw result.left
    return result.right
  }

  get nodes(): number {
    return this.service.nodes
  }

  /** App addresses (hex) of the shards the testnet covers. */
  get shards(): ReadonlyArray<string> {
    return this.service.shards()
  }

  /**
   * Submits a MessageBundle, or one operation (wrapped in a bundle), or builds one with an intrinsic's
   * builder: `submit(kv, "set", { key, value })`. Resolves once the bundle is committed on the node's
   * shard; rejects with BundleRejected (its reason) when the shard refused it, BundleInvalid when it does
   * not route.
   */
  submit(bytes: Uint8Array, options?: NodeOption): Promise<TestnetCommit>
  submit<B extends Builders, K extends keyof B & string>(intrinsic: Intrinsic<B>, builder: K, args: ArgsOf<B, K>, options?: NodeOption): Promise<TestnetCommit>
  submit<B extends Builders, K extends keyof B & string>(
    what: Uint8Array | Intrinsic<B>,
    builderOrOptions?: K | NodeOption,
    args?: ArgsOf<B, K>,
    options?: NodeOption,
  ): Promise<TestnetCommit> {
    if (what instanceof Uint8Array) return this.run(this.service.submit(what, typeof builderOrOptions === "object" ? builderOrOptions : undefined))
    const builder = builderOrOptions as K
    return this.run(Effect.flatMap(this.service.build(what, builder, args as ArgsOf<B, K>), (op) => this.service.submit(op, options)))
  }

  /**
   * Runs an intrinsic's query on a node, as `GET /v1/intrinsics/<name>/<query>?<args>` would (args are
   * the query string's fields). By default it first waits until the node has executed every frame a
   * `submit` saw committed on that shard; `{ wait: false }` reads at once.
   */
  query(intrinsic: Intrinsic | string, name: string, args: Readonly<Record<string, string>> = {}, options?: NodeOption & { readonly wait?: boolean }) {
    return this.run(this.service.query(intrinsic, name, args, options))
  }

  /** Moves virtual time until every progressing node's global head and shard heads are `frames` further. */
  advance(frames: number): Promise<void> {
    return this.run(this.service.advance(frames))
  }

  /**
   * Moves virtual time by `ms` whatever the chains do (in 50 ms steps, as the waiting calls): for a network
   * that makes no frames, such as a 2/2 split, where `advance(frames)` times out. Rejects with
   * InvalidDuration for a negative or non-finite `ms`.
   */
  advanceTime(ms: number): Promise<void> {
    return this.run(this.service.advanceTime(ms))
  }

  /** Per node (index order; undefined when down): the shard's roots at one frame, by default the lowest executed head. */
  roots(shard: Uint8Array | string, options?: { readonly frame?: bigint }): Promise<ReadonlyArray<ShardRoots | undefined>> {
    return this.run(this.service.roots(shard, options))
  }

  /** Per node: the shard's executed head, or the global committed head without a shard; undefined when down. */
  heads(shard?: Uint8Array | string): Promise<ReadonlyArray<bigint | undefined>> {
    return this.run(this.service.heads(shard))
  }

  /** A node's committed frames of the shard (number, selector, prover), for fork checks. */
  frames(shard: Uint8Array | string, node: number): Promise<ReadonlyArray<CommittedAppFrame>> {
    return this.run(this.service.frames(shard, node))
  }

  /** Node's app consensus status for the shard: rank, committed head, rejections, equivocations and counters. */
  consensus(shard: Uint8Array | string, node: number): Promise<ConsensusStatus> {
    return this.run(this.service.consensus(shard, node))
  }

  /** The shard as the node's worker reports it (`GET /v1/shards`: head, rank, roots, mempool, equivocations). */
  shardView(shard: Uint8Array | string, node: number): Promise<ShardView> {
    return this.run(this.service.shardView(shard, node))
  }

  /** Node's prover address (hex), as `frames` names it. */
  proverOf(node: number): string {
    return this.service.proverOf(node)
  }

  /** How many distinct app proposals of a byzantine node were rewritten so far. */
  byzantineProposals(node: number): number {
    return this.service.byzantineProposals(node)
  }

  crash(node: number): Promise<void> {
    return this.run(this.service.crash(node))
  }

  restart(node: number): Promise<void> {
    return this.run(this.service.restart(node))
  }

  /** Nodes in different groups cannot reach each other (global and shard traffic); nodes in none reach nobody. */
  partition(...groups: ReadonlyArray<ReadonlyArray<number>>): Promise<void> {
    return this.run(this.service.partition(...groups))
  }

  heal(): Promise<void> {
    return this.run(this.service.heal)
  }

  /** Node's app proposals become byzantine (default: equivocation); `undefined` makes it honest again. */
  byzantine(node: number, fault: AppProposalFault | undefined = "equivocate"): Promise<void> {
    return this.run(this.service.byzantine(node, fault))
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.runtime.runPromise(Scope.close(this.scope, Exit.void))
    await this.runtime.dispose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }
}
