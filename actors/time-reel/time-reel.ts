// The time-reel actor (consensus.md §2): validates frames through the pure validators and the injected
// crypto, keeps the tree with fork choice and pending frames, persists every head change in one store
// commit, and announces head changes, forks and equivocations on the event distributor. On (re)start it
// rebuilds its tree from the persisted canonical chain, so a crash never leaves memory and disk apart.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, Metric } from "effect"
import { PublishAll, type ControlEvent, type EventDistributorRef, type FrameRef } from "../event-distributor/index.ts"
import { Store, type StoreService } from "../../runtime/store/index.ts"
import { defaultForkChoiceParams, type ForkChoiceParams } from "../consensus/core/fork-choice.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import type { ActiveProver } from "../consensus/core/prover-ring.ts"
import { type BlsVerifier, type FrameVdf, Poseidon } from "../../crates/ts/services.ts"
import { bitmaskIndices } from "../consensus/core/signer-bitmask.ts"
import { Actor, type MailboxOptions } from "../../runtime/kernel/index.ts"
import { FrameTree } from "./frame-tree.ts"
import { chooseHead, type HeadMove } from "./head-choice.ts"
import { InsertRejected, InvalidRewind, TimeReelProtocol, type InsertResult, type TimeReelMessage, type RejectionReason, type TreeInfo } from "./protocol.ts"
import type { ReelKind } from "./reel-kind.ts"
import type { ReelEntry, ReelFrame, ReelNode } from "./reel-frame.ts"
import { type FrameBodySource, ReelStore, type HeadPointer, type ReelStoreHooks } from "./reel-store.ts"

/** §2.1 constants. */
const GLOBAL_MAX_TREE_DEPTH = 10
const APP_MAX_TREE_DEPTH = 360
const PENDING_MAX_AGE_MS = 5_400_000
const DEFAULT_MAX_PENDING = 1000
const DEFAULT_RANGE_LIMIT = 1000

export interface TimeReelConfig<F extends ReelFrame> {
  readonly kind: ReelKind<F>
  /** Actor name (path segment). Default `global`, or `app-<hex address>`. */
  readonly name?: string
  /** 0 except on mainnet (244200, §2.1). */
  readonly genesisFrameNumber?: bigint
  /** Tree window (§2.1): 10 for the global reel, 360 for app reels (D-REEL-1). */
  readonly maxDepth?: number
  /** Bound on frames waiting for their parent (D-REEL-2). */
  readonly maxPending?: number
  readonly pendingMaxAgeMs?: number
  /** `GetActiveProvers(filter)`, usually the prover-registry actor (`activeProversOf`). */
  readonly activeProvers: (filter: Uint8Array) => Effect.Effect<ReadonlyArray<ActiveProver>, unknown>
  /** Where events go; without it the reel is silent. */
  readonly distributor?: EventDistributorRef
  readonly hooks?: ReelStoreHooks<F>
  /** Where canonical frame bodies already live in the same store (the committed chain): stored once there. */
  readonly frameBodies?: (store: StoreService) => FrameBodySource<F>
  readonly forkChoiceParams?: ForkChoiceParams
  readonly mailbox?: MailboxOptions
}

interface ReelState<F extends ReelFrame> {
  tree: FrameTree<F>
  readonly store: ReelStore<F>
  readonly poseidon: PoseidonHash
}

const insertsTotal = Metric.counter("quilbun_time_reel_inserts_total", { description: "frames offered to a time reel, by result", incremental: true })
const reorgsTotal = Metric.counter("quilbun_time_reel_reorgs_total", { description: "head switches to a non-descendant", incremental: true })
const headFrameNumber = Metric.gauge("quilbun_time_reel_head_frame_number", { description: "frame number of the time reel's head" })

const ref = (n: { readonly frameNumber: bigint; readonly selector: Uint8Array; readonly id: string }): FrameRef => ({
  frameNumber: n.frameNumber,
  selector: n.selector,
  frameId: n.id,
})

const reject = (reason: RejectionReason, detail: string) => Effect.fail(new InsertRejected({ reason, detail }))

export const timeReelActor = <F extends ReelFrame>(config: TimeReelConfig<F>) => {
  const kind = config.kind
  const genesisNumber = config.genesisFrameNumber ?? 0n
  const maxDepth = config.maxDepth ?? (kind.kind === "global" ? GLOBAL_MAX_TREE_DEPTH : APP_MAX_TREE_DEPTH)
  const maxPending = config.maxPending ?? DEFAULT_MAX_PENDING
  const pendingMaxAge = BigInt(config.pendingMaxAgeMs ?? PENDING_MAX_AGE_MS)
  const params = config.forkChoiceParams ?? defaultForkChoiceParams
  const name = config.name ?? (kind.kind === "global" ? "global" : `app-${bytesToHex(kind.filter)}`)

  /** Poseidon is slow in TS (a frame id hashes ~2 KB of text): callers pass what they already have. */
  const entryOf = (
    poseidon: PoseidonHash,
    frame: F,
    signers: ReadonlyArray<number>,
    known: { readonly id?: string; readonly selector?: Uint8Array } = {},
  ): ReelEntry<F> => {
    const selector = known.selector ?? poseidon(frame.header.output)
    return {
      id: known.id ?? kind.frameId(poseidon, frame),
      frame,
      frameNumber: frame.header.frameNumber,
      rank: frame.header.rank,
      selector,
      selectorHex: bytesToHex(selector),
      parentSelectorHex: bytesToHex(frame.header.parentSelector),
      signers,
    }
  }

  const publish = (events: ReadonlyArray<ControlEvent>): Effect.Effect<void> =>
    config.distributor === undefined || events.length === 0
      ? Effect.void
      : config.distributor
          .tell(new PublishAll({ events }))
          .pipe(Effect.catchAll((e) => Effect.logWarning(`time reel ${name}: events not published: ${e._tag}`)))

  /** Rebuilds the tree from the last `maxDepth` canonical frames (§2.7); no events. */
  const bootstrap = (store: ReelStore<F>, poseidon: PoseidonHash): FrameTree<F> => {
    const pointer = store.head()
    if (pointer === undefined) return new FrameTree<F>()
    let tree = new FrameTree<F>()
    let tip: ReelNode<F> | undefined
    // By count, not by number range: app frame numbers may skip (§1.6 step 4).
    for (const { frame, frameId, selector } of store.lastEntries(pointer.frameNumber, maxDepth)) {
      const signers = bitmaskIndices(frame.header.publicKeySignatureBls48581?.bitmask ?? new Uint8Array())
      const entry = entryOf(poseidon, frame, signers, { id: frameId, selector })
      if (tip !== undefined && entry.parentSelectorHex === tip.selectorHex) tip = tree.link(entry, tip)
      else {
        // The first frame of the window, or a break in the stored chain: start again from a pseudo-root.
        tree = new FrameTree<F>()
        tip = tree.setRoot(entry)
      }
    }
    tree.headId = tip?.id
    return tree
  }

  /** Linkage beyond the selector match (§1.9, D-VAL-3). */
  const linkageProblem = (parent: ReelNode<F>, child: ReelEntry<F>): InsertRejected | undefined => {
    const badNumber = kind.frameNumberRule === "exactly-next" ? child.frameNumber !== parent.frameNumber + 1n : child.frameNumber <= parent.frameNumber
    if (badNumber) {
      return new InsertRejected({ reason: "BadFrameNumber", detail: `frame ${child.frameNumber} does not follow parent ${parent.frameNumber}` })
    }
    if (child.rank < parent.rank + 1n) return new InsertRejected({ reason: "BadRank", detail: `rank ${child.rank} < parent rank ${parent.rank} + 1` })
    return undefined
  }

  /** Links frames that were waiting for `node` (and theirs, recursively); returns how many. */
  const releasePending = (tree: FrameTree<F>, node: ReelNode<F>): Effect.Effect<number> =>
    Effect.gen(function* () {
      let released = 0
      const queue = [node]
      while (queue.length > 0) {
        const parent = queue.shift() as ReelNode<F>
        for (const child of tree.takePending(parent.selectorHex)) {
          const problem = linkageProblem(parent, child)
          if (problem !== undefined) {
            yield* Effect.logWarning(`time reel ${name}: dropped pending frame ${child.frameNumber}: ${problem.detail}`)
            continue
          }
          queue.push(tree.link(child, parent))
          released++
        }
      }
      return released
    })

  /** §2.3 step 3: a different frame at the same height signed by overlapping signers. */
  const equivocations = (tree: FrameTree<F>, entry: ReelEntry<F>): Array<ControlEvent> => {
    const events: Array<ControlEvent> = []
    for (const other of tree.atNumber(entry.frameNumber)) {
      if (kind.sameContent(other.frame, entry.frame)) continue
      const overlap = entry.signers.filter((i) => other.signers.includes(i))
      if (overlap.length === 0) continue
      const marked = tree.equivocators.get(entry.frameNumber) ?? new Set<number>()
      for (const i of overlap) marked.add(i)
      tree.equivocators.set(entry.frameNumber, marked)
      events.push(
        kind.equivocation(entry.frame, entry.id, overlap, `signers ${overlap.join(",")} signed frames ${other.id} and ${entry.id} at ${entry.frameNumber}`),
      )
    }
    return events
  }

  const pointerOf = (n: ReelNode<F>): HeadPointer => ({ frameNumber: n.frameNumber, selector: n.selector, frameId: n.id })

  /** Persists the move in one commit, then moves the head in memory and returns the events (in order). */
  const applyMove = (state: ReelState<F>, move: HeadMove<F>): Effect.Effect<Array<ControlEvent>> =>
    Effect.gen(function* () {
      if (move._tag === "Stay") return []
      const target = move.path[move.path.length - 1]
      if (target === undefined) return []
      const reverted = move._tag === "Reorg" ? move.reverted : []
      yield* state.store
        .commitHeadChange({
          write: move.path.map((n) => ({ frame: n.frame, frameId: n.id, selector: n.selector })),
          revert: reverted.map((n) => n.frame),
          head: pointerOf(target),
        })
        .pipe(Effect.orDie)
      state.tree.headId = target.id
      yield* Metric.set(Metric.tagged(headFrameNumber, "reel", name), Number(target.frameNumber))
      const events: Array<ControlEvent> = []
      let previous: FrameRef | undefined = move.oldHead === undefined ? undefined : ref(move.oldHead)
      if (move._tag === "Reorg") {
        yield* Metric.increment(Metric.tagged(reorgsTotal, "reel", name))
        yield* Effect.logInfo(`time reel ${name}: fork, head ${move.oldHead.frameNumber} → ${target.frameNumber} via ${move.ancestor.frameNumber}`)
        events.push(
          kind.fork({
            frame: target.frame,
            frameId: target.id,
            selector: target.selector,
            oldHead: ref(move.oldHead),
            commonAncestor: ref(move.ancestor),
            reverted: reverted.map(ref),
          }),
        )
        previous = ref(move.ancestor)
      }
      for (const n of move.path) {
        events.push(kind.newHead({ frame: n.frame, frameId: n.id, selector: n.selector, oldHead: previous, replay: move._tag === "Reorg" }))
        previous = ref(n)
      }
      return events
    })

  const afterHeadChange = (tree: FrameTree<F>): void => {
    tree.prune(maxDepth)
    const root = tree.root
    if (root !== undefined) tree.prunePending((e) => e.frameNumber <= root.frameNumber)
  }

  const insert = (state: ReelState<F>, frame: ReelFrame): Effect.Effect<InsertResult, InsertRejected, Poseidon | FrameVdf | BlsVerifier> =>
    Effect.gen(function* () {
      if (!kind.accepts(frame)) return yield* reject("WrongReel", `not a frame for the ${name} reel`)
      const tree = state.tree
      const id = kind.frameId(state.poseidon, frame)
      if (tree.has(id)) return { _tag: "Known", frameId: id } as const
      const provers = yield* config
        .activeProvers(kind.filter)
        .pipe(Effect.mapError((e) => new InsertRejected({ reason: "RegistryUnavailable", detail: String(e) })))
      const validated = yield* kind.validate(frame, provers).pipe(Effect.mapError((e) => new InsertRejected({ reason: e._tag, detail: e.detail })))
      const entry = entryOf(state.poseidon, frame, validated.signers, { id, selector: validated.selector })
      // Equivocation is checked once the frame is known to be kept (linked or pending), §2.3 step 3.
      let events: Array<ControlEvent> = []
      let released = 0
      let move: HeadMove<F>

      if (entry.frameNumber === genesisNumber) {
        if (tree.root !== undefined) return yield* reject("ConflictingGenesis", `the reel already has genesis ${tree.root.id}`)
        const root = tree.setRoot(entry)
        released = yield* releasePending(tree, root)
        tree.headId = root.id
        const further = chooseHead(tree, kind.scoring, maxDepth, params)
        tree.headId = undefined
        move = { _tag: "Advance", oldHead: undefined, path: [root, ...(further._tag === "Advance" ? further.path : [])] }
      } else {
        const root = tree.root
        if (entry.frameNumber < genesisNumber || (root !== undefined && entry.frameNumber <= root.frameNumber)) {
          return yield* reject("BelowRoot", `frame ${entry.frameNumber} is at or below the root ${root?.frameNumber ?? genesisNumber}`)
        }
        const parent = tree.findBySelector(entry.parentSelectorHex)
        if (parent === undefined) {
          const now = BigInt(yield* Clock.currentTimeMillis)
          tree.prunePending((e) => e.frame.header.timestamp < now - pendingMaxAge)
          if (frame.header.timestamp < now - pendingMaxAge) return yield* reject("TooOld", `frame ${entry.frameNumber} is older than the pending max age`)
          if (tree.pendingIds.size >= maxPending) return yield* reject("PendingFull", `${maxPending} frames already wait for their parent`)
          events = equivocations(tree, entry)
          tree.addPending(entry)
          yield* publish(events)
          yield* Metric.increment(Metric.tagged(Metric.tagged(insertsTotal, "reel", name), "result", "pending"))
          return { _tag: "Pending", frameId: id, frameNumber: entry.frameNumber, missingParent: frame.header.parentSelector } as const
        }
        const problem = linkageProblem(parent, entry)
        if (problem !== undefined) return yield* Effect.fail(problem)
        events = equivocations(tree, entry)
        const node = tree.link(entry, parent)
        released = yield* releasePending(tree, node)
        move = chooseHead(tree, kind.scoring, maxDepth, params)
      }

      events.push(...(yield* applyMove(state, move)))
      if (move._tag !== "Stay") afterHeadChange(tree)
      yield* publish(events)
      yield* Metric.increment(Metric.tagged(Metric.tagged(insertsTotal, "reel", name), "result", "accepted"))
      const head = tree.head
      return {
        _tag: "Accepted",
        frameId: id,
        frameNumber: entry.frameNumber,
        headChanged: move._tag !== "Stay",
        head: head === undefined ? ref(entry) : ref(head),
        released,
      } as const
    }).pipe(Effect.tapError(() => Metric.increment(Metric.tagged(Metric.tagged(insertsTotal, "reel", name), "result", "rejected"))))

  const rewind = (state: ReelState<F>, frameNumber: bigint) =>
    Effect.gen(function* () {
      const pointer = state.store.head()
      if (pointer === undefined) return yield* Effect.fail(new InvalidRewind({ detail: "the reel has no head" }))
      if (frameNumber > pointer.frameNumber)
        return yield* Effect.fail(new InvalidRewind({ detail: `frame ${frameNumber} is above the head ${pointer.frameNumber}` }))
      const target = state.store.entry(frameNumber)
      if (target === undefined) return yield* Effect.fail(new InvalidRewind({ detail: `no canonical frame ${frameNumber} in the store` }))
      const targetRef: FrameRef = { frameNumber, selector: target.selector, frameId: target.frameId }
      if (frameNumber === pointer.frameNumber) return { head: targetRef, reverted: 0 }
      const dropped = state.store.entries(frameNumber + 1n, pointer.frameNumber).reverse()
      yield* state.store.commitHeadChange({ write: [], revert: dropped.map((d) => d.frame), head: targetRef }).pipe(Effect.orDie)
      // Pending frames are dropped with the old tree: they would have to be sent again anyway.
      state.tree = bootstrap(state.store, state.poseidon)
      yield* Metric.set(Metric.tagged(headFrameNumber, "reel", name), Number(frameNumber))
      const reverted = dropped.map((d) => ({ frameNumber: d.frame.header.frameNumber, selector: d.selector, frameId: d.frameId }))
      const oldHead: FrameRef = { frameNumber: pointer.frameNumber, selector: pointer.selector, frameId: pointer.frameId }
      yield* publish([kind.fork({ frame: target.frame, frameId: target.frameId, selector: target.selector, oldHead, commonAncestor: targetRef, reverted })])
      yield* Effect.logInfo(`time reel ${name}: rewound from ${pointer.frameNumber} to ${frameNumber}`)
      return { head: targetRef, reverted: dropped.length }
    })

  const replay = (state: ReelState<F>, from: bigint, limit: number) =>
    Effect.gen(function* () {
      const pointer = state.store.head()
      if (pointer === undefined) return 0
      let previous: FrameRef | undefined
      const events = state.store.entries(from, pointer.frameNumber, limit).map(({ frame, frameId, selector }) => {
        const event = kind.newHead({ frame, frameId, selector, oldHead: previous, replay: true })
        previous = { frameNumber: frame.header.frameNumber, selector, frameId }
        return event
      })
      yield* publish(events)
      return events.length
    })

  const treeInfo = (tree: FrameTree<F>): TreeInfo => ({
    nodes: tree.size,
    pending: tree.pendingIds.size,
    leaves: tree.leaves().length,
    rootFrameNumber: tree.root?.frameNumber ?? null,
    headFrameNumber: tree.head?.frameNumber ?? null,
  })

  return Actor.make<TimeReelMessage, ReelState<F>, Store | Poseidon | FrameVdf | BlsVerifier>(
    name,
    TimeReelProtocol,
    {
      init: () =>
        Effect.gen(function* () {
          const backing = yield* Store
          const store = new ReelStore(backing, kind, config.hooks ?? {}, config.frameBodies?.(backing))
          const poseidon = yield* Poseidon
          const tree = yield* Effect.try(() => bootstrap(store, poseidon))
          const head = tree.head
          if (head !== undefined) yield* Metric.set(Metric.tagged(headFrameNumber, "reel", name), Number(head.frameNumber))
          yield* Effect.logInfo(`time reel ${name} started`).pipe(
            Effect.annotateLogs({ head: head === undefined ? "none" : String(head.frameNumber), frames: tree.size }),
          )
          const state: ReelState<F> = { tree, store, poseidon }
          return state
        }),
      handlers: {
        Insert: (state, { frame }) => Effect.map(insert(state, frame), (result) => [state, result] as const),
        Head: (state) =>
          Effect.sync(() => {
            const head = state.tree.head
            return [state, head === undefined ? null : { frame: head.frame, frameId: head.id, selector: head.selector }] as const
          }),
        FrameByNumber: (state, { frameNumber }) => Effect.sync(() => [state, state.store.frame(frameNumber) ?? null] as const),
        Range: (state, { from, to, limit }) => Effect.sync(() => [state, state.store.range(from, to, limit ?? DEFAULT_RANGE_LIMIT)] as const),
        Rewind: (state, { frameNumber }) => Effect.map(rewind(state, frameNumber), (r) => [state, r] as const),
        Replay: (state, { fromFrameNumber, limit }) =>
          Effect.map(replay(state, fromFrameNumber, limit ?? DEFAULT_RANGE_LIMIT), (replayed) => [state, { replayed }] as const),
        GetTreeInfo: (state) => Effect.sync(() => [state, treeInfo(state.tree)] as const),
      },
    },
    { mailbox: config.mailbox ?? { capacity: 1024, overflow: "backpressure" } },
  )
}
