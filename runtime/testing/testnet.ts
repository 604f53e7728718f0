// The testnet kit (`makeTestnet`, the scoped Effect form of `Testnet.start`): N nodes in one process,
// each a devnet global-consensus node (devnet.ts, with its shard-update pool as a master runs it) plus
// `shards` data workers (testnet-worker.ts: the node's own app-shard wiring, one shard each), every node
// covering every shard. A shard's workers talk over that shard's in-memory network; everything runs on
// Effect's Clock, so under TestClock the kit moves time itself (`advance`, and while `submit` and
// `query` wait) and a run is fast and repeatable from its seed.
//
// The kit plays the master's part the way runtime/node/shard-hosts.ts does: it routes a submitted
// bundle to its shard (actors/execution/routing.ts), allocates a free shard slot on first use (fixed
// instances of app plugins at start, in load order), covers it on every node, hands the bundle to the
// node's worker and gossips it on the shard's prover channel for the others.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Context, Effect, Either, Exit, Scope, TestClock } from "effect"
import { appFrameRows, decodeAppCertifiedFrame } from "../../actors/consensus/app/persistence.ts"
import { CoverShard, BundleStatus, ListShards, SubmitBundle } from "../../actors/consensus/app/shard-host-protocol.ts"
import { devnetConsensusConfig } from "../../actors/consensus/global/config.ts"
import { encodeBundle, GetHead, GetShardRoots, Query } from "../../actors/execution/index.ts"
import type { ResolverConfig } from "../../actors/execution/resolver.ts"
import { routeBundle } from "../../actors/execution/routing.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../crates/ts/services.ts"
import { type BuildEnv, type Builder, type Builders, type CryptoServices, type Intrinsic, loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { type InMemoryNetwork, makeInMemoryNetwork } from "../kernel/transport/in-memory.ts"
import type { TransportService } from "../kernel/transport/transport.ts"
import { bloomFilter, shardChannels } from "../network/bitmask.ts"
import { builtInIntrinsics, instanceTypeTag, nodeBuildEnv, nodeCryptoServices } from "../node/intrinsics.ts"
import { queryShard } from "../node/query-shard.ts"
import { type AppProposalFault, appByzantineInterceptor } from "./app-byzantine.ts"
import { type Devnet, makeDevnet } from "./devnet.ts"
import { insecureTestBlsVerifier } from "./insecure-test-bls.ts"
import { insecureTestVdf } from "./insecure-test-vdf.ts"
import {
  BundleInvalid,
  InvalidDuration,
  BundleRejected,
  NodeNotRunning,
  NodeRunning,
  NoFreeShard,
  NoSuchNode,
  ShardBusy,
  TestnetQueryFailed,
  TestnetTimedOut,
  UnknownShard,
} from "./testnet-errors.ts"
import { type TestnetWorker, startTestnetWorker } from "./testnet-worker.ts"

export interface TestnetOptions {
  /** Nodes, all in the genesis committee (default 4). */
  readonly nodes?: number
  /** Shard slots per node: one data worker each, so at most this many app shards (default 1). */
  readonly shards?: number
  /** Intrinsic plugins, the objects the node loads (`import kv from "plugins/kv"`); hypergraph is built in. */
  readonly plugins?: ReadonlyArray<Intrinsic>
  readonly seed?: number
  /** Parent of the node stores; a temp dir (RAM-backed where there is one) removed at stop by default. */
  readonly dataDir?: string
  /** The intrinsics' crypto (default the node's: native BLS48-581 and KZG, loaded on first use). */
  readonly crypto?: CryptoServices
  /** How long `submit`, `query` and `advance` wait, in virtual ms, before TestnetTimedOut (default 300 000). */
  readonly timeoutMs?: number
}

export interface TestnetCommit {
  /** SHA3-256 of the bundle (hex), as `GET /v1/bundles/{id}`. */
  readonly id: string
  /** The app address of the bundle's shard (hex). */
  readonly shard: string
  readonly frameNumber: bigint
  readonly node: number
}

export interface ShardRoots {
  readonly node: number
  /** The executed frame the roots are of (the newest at or below the frame asked). */
  readonly frameNumber: bigint | null
  /** vertex-adds, vertex-removes, hyperedge-adds, hyperedge-removes (hex). */
  readonly roots: ReadonlyArray<string>
}

export interface CommittedAppFrame {
  readonly frameNumber: bigint
  /** Poseidon of the frame's VDF output (hex): two nodes agree on a frame when they agree on this. */
  readonly selector: string
  /** The prover that proposed it (hex address). */
  readonly prover: string
}

export interface NodeOption {
  /** Default: the first running node. */
  readonly node?: number
}

/** The argument type of builder K of an intrinsic's builder table. */
export type ArgsOf<B extends Builders, K extends keyof B> = B[K] extends Builder<infer A> ? A : never

const MESSAGE_BUNDLE = 0x0312
const STEP_MS = 50
const DEVNET_NETWORK = devnetConsensusConfig().network
const hexOf = (shard: Uint8Array | string): string => (typeof shard === "string" ? shard.replace(/^0x/, "").toLowerCase() : bytesToHex(shard))

interface NodeWorkers {
  readonly scope: Scope.CloseableScope
  readonly workers: ReadonlyArray<{ readonly worker: TestnetWorker; readonly endpoint: TransportService }>
}

export const makeTestnet = (options: TestnetOptions = {}) =>
  Effect.gen(function* () {
    const nodes = options.nodes ?? 4
    const slots = options.shards ?? 1
    const seed = options.seed ?? 1
    const timeoutMs = options.timeoutMs ?? 300_000
    const cryptoServices = options.crypto ?? nodeCryptoServices
    const intrinsics = [...builtInIntrinsics, ...(options.plugins ?? [])]
    const registry = yield* loadIntrinsics(intrinsics).pipe(Effect.orDie)
    const resolver: ResolverConfig = { registry, network: DEVNET_NETWORK, crypto: cryptoServices, typeTagOf: instanceTypeTag }

    const root = options.dataDir ?? mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "quilbun-testnet-"))
    if (options.dataDir === undefined) yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
    const devnet: Devnet = yield* makeDevnet({ nodes, seed, shardUpdates: true, dataDir: join(root, "global") })
    const peerOf = (i: number) => `node-${i}`

    // One in-memory network per shard slot: a shard's workers on every node, its channels only.
    const faults = new Map<string, AppProposalFault>()
    const rewrites = new Map<string, number>()
    const networks: Array<InMemoryNetwork> = []
    for (let k = 0; k < slots; k++) {
      const network = yield* makeInMemoryNetwork({ seed: seed * 1_000 + k + 1 })
      const prover = (peerId: string) => {
        const n = devnet.nodes.find((x) => x.peerId === peerId)
        return n === undefined ? undefined : { signer: n.signer, vdf: insecureTestVdf }
      }
      const counted = (peerId: string) => rewrites.set(peerId, (rewrites.get(peerId) ?? 0) + 1)
      network.intercept(appByzantineInterceptor(faults, prover, () => network.attached(), devnet.poseidon, counted))
      networks.push(network)
    }

    const table: Array<Uint8Array | undefined> = Array.from({ length: slots }, () => undefined)
    const slotOf = (shard: Uint8Array | string): number | undefined => {
      const hex = hexOf(shard)
      const k = table.findIndex((a) => a !== undefined && bytesToHex(a) === hex)
      return k < 0 ? undefined : k
    }
    /** The newest frame a submit saw committed, per shard: queries wait for it (read your writes). */
    const seen = new Map<string, bigint>()
    const running: Array<NodeWorkers | undefined> = Array.from({ length: nodes }, () => undefined)
    let groups: ReadonlyArray<ReadonlyArray<number>> | undefined

    const checkNode = (i: number) => (Number.isInteger(i) && i >= 0 && i < nodes ? Effect.void : Effect.fail(new NoSuchNode({ node: i, nodes })))
    const workersOf = (i: number) =>
      Effect.flatMap(checkNode(i), () => {
        const w = running[i]
        return w === undefined ? Effect.fail(new NodeNotRunning({ node: i })) : Effect.succeed(w.workers)
      })
    const workerOf = (i: number, k: number) =>
      Effect.flatMap(workersOf(i), (ws) => {
        const w = ws[k]
        return w === undefined ? Effect.die(new RangeError(`no shard slot ${k}`)) : Effect.succeed(w)
      })
    const firstRunning = () => running.findIndex((w) => w !== undefined)
    const pick = (o: NodeOption | undefined) => {
      const i = o?.node ?? firstRunning()
      // No node named and none running: node 0 is as down as any.
      return i < 0 ? Effect.fail(new NodeNotRunning({ node: 0 })) : Effect.as(workersOf(i), i)
    }

    const cover = (i: number, k: number) => {
      const address = table[k]
      const w = running[i]?.workers[k]
      if (address === undefined || w === undefined) return Effect.void
      const committee = devnet.committee.map((p) => p.publicKey)
      return w.worker.host.ask(new CoverShard({ address, committee, params: { network: DEVNET_NETWORK, devnet: true } })).pipe(Effect.orDie, Effect.asVoid)
    }

    const startNode = (i: number) =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const n = devnet.nodes[i]
        if (n === undefined) return yield* Effect.die(new RangeError(`no node ${i}`))
        const consensusCrypto = Context.make(ProverSigner, n.signer).pipe(
          Context.add(BlsVerifier, insecureTestBlsVerifier),
          Context.add(FrameVdf, insecureTestVdf),
          Context.add(Poseidon, devnet.poseidon),
        )
        const workers = []
        for (let k = 0; k < slots; k++) {
          const dataDir = join(root, `node-${i}`, `worker-${k}`)
          mkdirSync(dataDir, { recursive: true })
          const endpoint = yield* Scope.extend(networks[k]?.endpoint(peerOf(i)) ?? Effect.die("no network"), scope)
          const worker = yield* startTestnetWorker({
            dataDir,
            rootName: `worker-${k}`,
            endpoint,
            networkId: DEVNET_NETWORK,
            intrinsics,
            cryptoServices,
            consensusCrypto,
            shardUpdates: devnet.shardUpdates(i),
          }).pipe(Scope.extend(scope))
          workers.push({ worker, endpoint })
        }
        running[i] = { scope, workers }
        for (let k = 0; k < slots; k++) yield* cover(i, k)
      })
    const stopNode = (i: number) =>
      Effect.gen(function* () {
        const w = running[i]
        running[i] = undefined
        if (w !== undefined) yield* Scope.close(w.scope, Exit.void)
      })

    /** The slot covering `shard`, allocated (and covered on every running node) on first use. */
    const allocate = (shard: Uint8Array) =>
      Effect.gen(function* () {
        const known = slotOf(shard)
        if (known !== undefined) return known
        const free = table.indexOf(undefined)
        if (free < 0) return yield* new NoFreeShard({ shard: bytesToHex(shard), shards: slots })
        table[free] = shard.slice(0, 32)
        for (let i = 0; i < nodes; i++) yield* cover(i, free)
        return free
      })

    for (let i = 0; i < nodes; i++) yield* startNode(i)
    yield* Effect.addFinalizer(() => Effect.forEach(running, (_, i) => stopNode(i), { discard: true }))
    // As a devnet node does (shard-hosts.ts): fixed instances of app plugins are covered from the start;
    // built-ins' (QUIL) by their first bundle.
    for (const intrinsic of options.plugins ?? [])
      if (intrinsic.manifest.placement === "app")
        for (const instance of intrinsic.manifest.fixedInstances)
          yield* allocate(instance.address).pipe(
            Effect.catchTag("NoFreeShard", () =>
              Effect.logWarning("fixed instance not covered: no free shard slot").pipe(
                Effect.annotateLogs({ intrinsic: intrinsic.manifest.name, instance: instance.label }),
              ),
            ),
          )

    // One driver of the clock at a time: two waits advancing it together would skip each other's steps.
    const clock = yield* Effect.makeSemaphore(1)
    /** Advances the TestClock until `done` answers a value, or fails after timeoutMs of virtual time. */
    const drive = <A, E>(waitingFor: string, done: Effect.Effect<A | undefined, E>) =>
      clock.withPermits(1)(
        Effect.gen(function* () {
          for (let t = 0; ; t += STEP_MS) {
            const value = yield* done
            if (value !== undefined) return value
            if (t >= timeoutMs) return yield* new TestnetTimedOut({ waitingFor, virtualMs: t })
            yield* TestClock.adjust(STEP_MS)
          }
        }),
      )

    let submitted = 0
    const asBundle = (bytes: Uint8Array) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false) === MESSAGE_BUNDLE) return bytes
        // Distinct timestamps keep equal operations distinct bundles (a bundle's id is its hash).
        const timestamp = devnetConsensusConfig().genesisTimestamp + BigInt(now) + BigInt(++submitted)
        return encodeBundle({ domain: new Uint8Array(32), requests: [bytes], timestamp }).subarray(32)
      })

    const submitBytes = (bytes: Uint8Array, o?: NodeOption) =>
      Effect.gen(function* () {
        const i = yield* pick(o)
        const bundle = yield* asBundle(bytes)
        const head = (yield* devnet.status(i)).committedHead.frameNumber
        const route = routeBundle(resolver, bundle, head)
        if (Either.isLeft(route)) return yield* new BundleInvalid({ reason: route.left.reason, detail: route.left.detail })
        const shard = route.right.shard
        const k = yield* allocate(shard)
        const { worker, endpoint } = yield* workerOf(i, k)
        const hand = worker.host.ask(new SubmitBundle({ bundle, shard }))
        const answer = yield* hand.pipe(
          Effect.catchTag("ShardNotCovered", () => Effect.zipRight(cover(i, k), hand)),
          Effect.catchTag("MempoolFull", (e) => Effect.fail(new ShardBusy({ shard: bytesToHex(shard), retryAfterMs: e.retryAfterMs }))),
          Effect.catchTag("ShardNotCovered", (e) => Effect.die(e)),
          Effect.catchIf(
            (e): e is Exclude<typeof e, ShardBusy> => e._tag !== "ShardBusy",
            (e) => Effect.die(e),
          ),
        )
        // The other nodes covering the shard hear it on the shard's prover channel, as from a master.
        yield* endpoint.publish(shardChannels(bloomFilter(shard)).prover, bundle)
        const commit = yield* drive(
          `bundle ${bytesToHex(answer.id)} decided on node ${i}`,
          Effect.gen(function* () {
            const { worker: now } = yield* workerOf(i, k)
            const status = yield* now.host.ask(new BundleStatus({ id: answer.id })).pipe(Effect.orDie)
            if (status.status === "rejected")
              return yield* new BundleRejected({
                id: bytesToHex(answer.id),
                shard: bytesToHex(shard),
                frameNumber: status.frameNumber,
                reason: status.reason ?? "",
              })
            return status.status === "committed" && status.frameNumber !== null ? status.frameNumber : undefined
          }),
        )
        const key = bytesToHex(shard.slice(0, 32))
        if ((seen.get(key) ?? -1n) < commit) seen.set(key, commit)
        const result: TestnetCommit = { id: bytesToHex(answer.id), shard: bytesToHex(shard), frameNumber: commit, node: i }
        return result
      })

    /** Canonical operation bytes from an intrinsic's builder, with the node's build env. */
    const build = <B extends Builders, K extends keyof B & string>(intrinsic: Intrinsic<B>, builder: K, args: ArgsOf<B, K>) =>
      Effect.suspend(() => {
        const b = intrinsic.builders[builder] as unknown as Builder<ArgsOf<B, K>> | undefined
        if (b === undefined) return Effect.die(new RangeError(`${intrinsic.manifest.name} has no builder ${builder}`))
        const env: BuildEnv = { ...nodeBuildEnv, crypto: cryptoServices }
        return b.build(args, env)
      })

    const executedHead = (w: TestnetWorker) => Effect.map(w.execution.ask(new GetHead()).pipe(Effect.orDie), (h) => h ?? 0n)

    const query = (intrinsic: Intrinsic | string, name: string, args: unknown, o?: NodeOption & { readonly wait?: boolean }) =>
      Effect.gen(function* () {
        const i = yield* pick(o)
        const named = queryShard(args)
        // The worker covering the shard the arguments name, else the first (as the admin API does).
        const k = (named === undefined ? undefined : slotOf(named)) ?? 0
        const address = table[k]
        const fresh = address === undefined ? undefined : seen.get(bytesToHex(address))
        if (o?.wait !== false && fresh !== undefined)
          yield* drive(
            `node ${i} executing frame ${fresh}`,
            Effect.flatMap(workerOf(i, k), ({ worker }) => Effect.map(executedHead(worker), (h) => (h >= fresh ? true : undefined))),
          )
        const { worker } = yield* workerOf(i, k)
        const intrinsicName = typeof intrinsic === "string" ? intrinsic : intrinsic.manifest.name
        return yield* worker.execution.ask(new Query({ intrinsic: intrinsicName, name, args })).pipe(
          Effect.catchTag("QueryFailed", (e) => Effect.fail(new TestnetQueryFailed({ kind: e.kind, reason: e.reason }))),
          Effect.catchIf((e): e is Exclude<typeof e, TestnetQueryFailed> => e._tag !== "TestnetQueryFailed", Effect.die),
        )
      })

    /** Running nodes that can make progress: those in the largest partition group (all, unpartitioned). */
    const progressing = (): ReadonlyArray<number> => {
      const up = running.flatMap((w, i) => (w === undefined ? [] : [i]))
      if (groups === undefined) return up
      const sizes = groups.map((g) => g.filter((i) => running[i] !== undefined))
      const largest = sizes.reduce((a, b) => (b.length > a.length ? b : a), [])
      return largest
    }
    const headsOf = (indices: ReadonlyArray<number>) =>
      Effect.forEach(indices, (i) =>
        Effect.gen(function* () {
          const global = (yield* devnet.status(i)).committedHead.frameNumber
          const shards: Array<bigint> = []
          for (let k = 0; k < slots; k++) {
            const w = running[i]?.workers[k]
            if (table[k] !== undefined && w !== undefined) shards.push(yield* executedHead(w.worker))
          }
          return { global, shards }
        }),
      )

    const advance = (frames: number) =>
      Effect.gen(function* () {
        const counted = progressing()
        const start = yield* headsOf(counted)
        const max = (xs: ReadonlyArray<bigint>) => xs.reduce((a, b) => (b > a ? b : a), 0n)
        const global = max(start.map((h) => h.global)) + BigInt(frames)
        const shards = table.flatMap((a, k) => (a === undefined ? [] : [max(start.map((h) => h.shards[k] ?? 0n)) + BigInt(frames)]))
        yield* drive(
          `${frames} frames on nodes ${counted.join(",")}`,
          Effect.map(headsOf(counted), (now) => (now.every((h) => h.global >= global && h.shards.every((s, k) => s >= (shards[k] ?? 0n))) ? true : undefined)),
        )
      })

    /**
     * Moves virtual time by `ms`, in the kit's steps, whatever the chains do: for states in which no node
     * makes frames (a 2/2 split of a 4-prover ring), where `advance(frames)` could only time out.
     */
    const advanceTime = (ms: number) =>
      Number.isFinite(ms) && ms >= 0
        ? clock.withPermits(1)(
            Effect.gen(function* () {
              for (let left = ms; left > 0; left -= STEP_MS) yield* TestClock.adjust(Math.min(STEP_MS, left))
            }),
          )
        : Effect.fail(new InvalidDuration({ ms }))

    const roots = (shard: Uint8Array | string, o?: { readonly frame?: bigint }) =>
      Effect.gen(function* () {
        const k = slotOf(shard)
        const address = k === undefined ? undefined : table[k]
        if (k === undefined || address === undefined) return yield* new UnknownShard({ shard: hexOf(shard) })
        const up = running.flatMap((w, i) => (w?.workers[k] === undefined ? [] : [{ i, w: w.workers[k].worker }]))
        const heads = yield* Effect.forEach(up, ({ w }) => executedHead(w))
        const frame = o?.frame ?? heads.reduce((a, b) => (b < a ? b : a), heads[0] ?? 0n)
        const out: Array<ShardRoots | undefined> = Array.from({ length: nodes }, () => undefined)
        for (const { i, w } of up) {
          const answer = yield* w.execution.ask(new GetShardRoots({ frameNumber: frame, shardAddress: address })).pipe(Effect.orDie)
          out[i] = { node: i, frameNumber: answer.frameNumber, roots: answer.roots.map((r) => (r.length === 0 ? "00".repeat(64) : bytesToHex(r))) }
        }
        return out
      })

    const crash = (i: number) =>
      Effect.gen(function* () {
        yield* workersOf(i)
        // Workers first: they hand certified frames to the node's pool until they stop.
        yield* stopNode(i)
        yield* devnet.crash(i)
      })
    const restart = (i: number) =>
      Effect.gen(function* () {
        yield* checkNode(i)
        if (running[i] !== undefined) return yield* new NodeRunning({ node: i })
        yield* devnet.restart(i)
        yield* startNode(i)
      })
    const partition = (...parts: ReadonlyArray<ReadonlyArray<number>>) =>
      Effect.gen(function* () {
        for (const g of parts) for (const i of g) yield* checkNode(i)
        groups = parts
        devnet.partition(parts)
        for (const n of networks) n.partition(parts.map((g) => g.map(peerOf)))
      })
    const heal = Effect.sync(() => {
      groups = undefined
      devnet.heal()
      for (const n of networks) n.heal()
    })
    /** Node `i`'s app proposals become byzantine on every shard (undefined: honest again). */
    const byzantine = (i: number, fault: AppProposalFault | undefined = "equivocate") =>
      Effect.map(checkNode(i), () => {
        if (fault === undefined) faults.delete(peerOf(i))
        else faults.set(peerOf(i), fault)
      })
    const heads = (shard?: Uint8Array | string) =>
      Effect.gen(function* () {
        const k = shard === undefined ? undefined : slotOf(shard)
        if (shard !== undefined && k === undefined) return yield* new UnknownShard({ shard: hexOf(shard) })
        return yield* Effect.forEach(running, (w, i) => {
          if (w === undefined) return Effect.succeed(undefined)
          const slot = k === undefined ? undefined : w.workers[k]
          return slot === undefined ? Effect.map(devnet.status(i), (s) => s.committedHead.frameNumber) : executedHead(slot.worker)
        })
      })

    /** A node's committed app frames of the shard, from its worker's store (frame number, selector, prover). */
    const frames = (shard: Uint8Array | string, node: number) =>
      Effect.gen(function* () {
        const k = slotOf(shard)
        const address = k === undefined ? undefined : table[k]
        if (k === undefined || address === undefined) return yield* new UnknownShard({ shard: hexOf(shard) })
        const { worker } = yield* workerOf(node, k)
        const rows = yield* worker.store
          .read(() => worker.store.repository(appFrameRows).range({ prefix: appFrameRows.key.prefix(address) }))
          .pipe(Effect.orDie)
        return rows.map((row): CommittedAppFrame => {
          const { header } = decodeAppCertifiedFrame(row.value).frame
          return { frameNumber: header.frameNumber, selector: bytesToHex(devnet.poseidon(header.output)), prover: bytesToHex(header.prover) }
        })
      })

    /** The slot of an allocated shard and its address, or UnknownShard. */
    const allocated = (shard: Uint8Array | string) => {
      const k = slotOf(shard)
      const address = k === undefined ? undefined : table[k]
      return k === undefined || address === undefined ? Effect.fail(new UnknownShard({ shard: hexOf(shard) })) : Effect.succeed({ k, address })
    }
    /** Node `node`'s app consensus status for the shard (rank, head, rejections, equivocations). */
    const consensus = (shard: Uint8Array | string, node: number) =>
      Effect.gen(function* () {
        const { k, address } = yield* allocated(shard)
        const { worker } = yield* workerOf(node, k)
        // An allocated shard is covered on every running node (allocate, startNode): no actor is a kit bug.
        return yield* worker.consensusStatus(address).pipe(Effect.orDie)
      })
    /** The shard as node `node`'s worker reports it to the master (`GET /v1/shards`). */
    const shardView = (shard: Uint8Array | string, node: number) =>
      Effect.gen(function* () {
        const { k, address } = yield* allocated(shard)
        const { worker } = yield* workerOf(node, k)
        const views = yield* worker.host.ask(new ListShards()).pipe(Effect.orDie)
        const view = views.find((v) => bytesToHex(v.address) === bytesToHex(address))
        return view ?? (yield* Effect.die(new RangeError(`node ${node} does not cover ${bytesToHex(address)}`)))
      })

    return {
      devnet,
      frames,
      consensus,
      shardView,
      /** Distinct app proposals of node `i` the byzantine interceptors rewrote so far. */
      byzantineProposals: (i: number) => rewrites.get(peerOf(i)) ?? 0,
      /** Node i's prover address (hex), as committed frames name it. */
      proverOf: (i: number) => bytesToHex(devnet.nodes[i]?.signer.address ?? new Uint8Array()),
      nodes,
      /** App addresses (hex) of the covered shards, by slot. */
      shards: () => table.flatMap((a) => (a === undefined ? [] : [bytesToHex(a)])),
      submit: submitBytes,
      build,
      query,
      advance,
      advanceTime,
      roots,
      heads,
      crash,
      restart,
      partition,
      heal,
      byzantine,
    }
  })

export type TestnetService = Effect.Effect.Success<ReturnType<typeof makeTestnet>>
