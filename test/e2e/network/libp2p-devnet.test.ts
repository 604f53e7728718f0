// A global-consensus devnet over the libp2p transport: four committee members in one process, each
// with its own libp2p host (loopback tcp + noise + yamux + gossipsub), actor system and LMDB store;
// real clock, INSECURE test crypto. Three start together and commit; the fourth joins late and must
// catch up by itself through the sync protocol, with byte-identical committed frames.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { devnetConsensusConfig } from "../../../actors/consensus/global/config.ts"
import { globalConsensusActor, type GlobalConsensusRef } from "../../../actors/consensus/global/global-consensus.ts"
import { type ConsensusStatus, GetCommitted, GetStatus } from "../../../actors/consensus/global/protocol.ts"
import { globalConsensusTransportConfig } from "../../../actors/consensus/global/transport-rules.ts"
import { StoreLive } from "../../../runtime/store/index.ts"
import { poseidonHashBytes } from "../../../crates/ts/poseidon.ts"
import type { ActiveProver } from "../../../actors/consensus/core/prover-ring.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner, type ProverSignerService } from "../../../crates/ts/services.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "../../../runtime/testing/insecure-test-bls.ts"
import { insecureTestVdf } from "../../../runtime/testing/insecure-test-vdf.ts"
import { memoizedPoseidon } from "../../../runtime/testing/devnet.ts"
import { ActorSystem } from "../../../runtime/kernel/index.ts"
import { Transport } from "../../../runtime/kernel/transport/transport.ts"
import { connectAll, type Libp2pNode, startLibp2pNode, testTransportConfig } from "./libp2p-cluster.ts"

const NODES = 4
const TARGET_FRAMES = 10n

interface ConsensusNode {
  readonly p2p: Libp2pNode
  readonly ref: GlobalConsensusRef
  /** closes the actor system and the store: the node's consensus "crashes" (its host stays up) */
  readonly stop: Effect.Effect<void>
}

const waitFor = (check: Effect.Effect<boolean>, timeoutMillis: number, what: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMillis
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep(50)
    }
  })

describe("global consensus over the libp2p transport", () => {
  test(
    "4 nodes: 3 commit ≥ 10 identical frames, a late joiner and a restarted node catch up through sync",
    () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const root = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "quilbun-p2p-devnet-"))
            yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
            const poseidon = memoizedPoseidon(poseidonHashBytes)
            const signers: ReadonlyArray<ProverSignerService> = Array.from({ length: NODES }, (_, i) =>
              makeInsecureTestSigner(Uint8Array.of(0x70, 0x32, 0x70, i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), poseidon),
            )
            const committee: ReadonlyArray<ActiveProver> = signers
              .map((s) => ({ address: s.address, publicKey: s.publicKey, seniority: 0n }))
              .sort((a, b) => Buffer.compare(a.address, b.address))
            const config = devnetConsensusConfig()

            // Hosts first (the late joiner's too, so it has an address), then consensus on 0..2.
            const hosts = yield* Effect.forEach(signers, () => startLibp2pNode(globalConsensusTransportConfig(testTransportConfig())))
            const early = hosts.slice(0, 3)
            yield* connectAll(early)

            const startConsensus = (index: number) =>
              Effect.gen(function* () {
                const p2p = hosts[index]
                const signer = signers[index]
                if (p2p === undefined || signer === undefined) return yield* Effect.die(new Error(`no node ${index}`))
                const scope = yield* Scope.make()
                yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
                const services = Layer.mergeAll(
                  StoreLive({ path: join(root, `node-${index}`) }),
                  Layer.succeed(Transport, p2p.transport),
                  Layer.succeed(ProverSigner, signer),
                  Layer.succeed(BlsVerifier, insecureTestBlsVerifier),
                  Layer.succeed(Poseidon, poseidon),
                  Layer.succeed(FrameVdf, insecureTestVdf),
                )
                const context = yield* Layer.build(Layer.merge(services, ActorSystem.layer({ rootName: "root" }))).pipe(Scope.extend(scope), Effect.orDie)
                const system = yield* Effect.provide(ActorSystem.ActorSystem, context)
                const ref = yield* system
                  .spawn(globalConsensusActor({ config, committee: Effect.succeed(committee) }))
                  .pipe(Effect.provide(context), Effect.orDie)
                return { p2p, ref, stop: Scope.close(scope, Exit.void) } satisfies ConsensusNode
              })

            const status = (n: ConsensusNode): Effect.Effect<ConsensusStatus> => n.ref.ask(new GetStatus()).pipe(Effect.orDie)
            const head = (n: ConsensusNode) => Effect.map(status(n), (s) => s.committedHead.frameNumber)
            const committed = (n: ConsensusNode, from: bigint, to: bigint) => n.ref.ask(new GetCommitted({ from, to })).pipe(Effect.orDie)

            const running: Array<ConsensusNode> = []
            for (const i of [0, 1, 2]) running.push(yield* startConsensus(i))
            yield* waitFor(
              Effect.map(Effect.forEach(running, head), (heads) => heads.every((h) => h >= TARGET_FRAMES)),
              30_000,
              `3 nodes to commit ${TARGET_FRAMES} frames`,
            )
            const reference = running[0]
            if (reference === undefined) return
            const frames = yield* committed(reference, 1n, TARGET_FRAMES)
            expect(frames.length).toBe(Number(TARGET_FRAMES))
            for (const other of running.slice(1)) {
              const theirs = yield* committed(other, 1n, TARGET_FRAMES)
              expect(theirs.map((f) => bytesToHex(f))).toEqual(frames.map((f) => bytesToHex(f)))
            }
            // Peer identity: the consensus sees libp2p peer ids.
            expect((yield* status(reference)).peerId).toBe(hosts[0]?.host.peerId ?? "")

            // The late joiner: connect, start with an empty store, and catch up without help.
            const late = hosts[3]
            if (late === undefined) return
            yield* connectAll(hosts)
            const aheadAtJoin = yield* head(reference)
            const joiner = yield* startConsensus(3)
            yield* waitFor(
              Effect.map(head(joiner), (h) => h >= aheadAtJoin + 2n),
              30_000,
              "the late joiner to catch up",
            )
            const joinerHead = yield* head(joiner)
            const mine = yield* committed(joiner, 1n, joinerHead)
            const theirs = yield* committed(reference, 1n, joinerHead)
            expect(mine.length).toBe(Number(joinerHead))
            expect(mine.map((f) => bytesToHex(f))).toEqual(theirs.map((f) => bytesToHex(f)))
            // It got there through sync requests served over libp2p.
            const served = hosts.slice(0, 3).reduce((sum, h) => sum + h.transport.stats().requestsServed, 0)
            expect(served).toBeGreaterThanOrEqual(1)
            expect(late.transport.stats().requestsSent).toBeGreaterThanOrEqual(1)
            for (const h of hosts) expect(h.transport.stats().rejected).toBe(0)

            // A node that falls behind (its consensus down while the others go on) catches up on restart,
            // from its own store plus sync.
            const crashed = running[1]
            if (crashed === undefined) return
            yield* crashed.stop
            const survivors = [reference, running[2], joiner].filter((n): n is ConsensusNode => n !== undefined)
            const atCrash = yield* head(reference)
            yield* waitFor(
              Effect.map(Effect.forEach(survivors, head), (heads) => heads.every((h) => h >= atCrash + 5n)),
              30_000,
              "the 3 survivors to commit 5 more frames",
            )
            const target = yield* head(reference)
            const restarted = yield* startConsensus(1)
            yield* waitFor(
              Effect.map(head(restarted), (h) => h >= target),
              30_000,
              "the restarted node to catch up",
            )
            const restartedHead = yield* head(restarted)
            // the restarted node may commit a frame before the reference does: compare once both have it
            yield* waitFor(
              Effect.map(head(reference), (h) => h >= restartedHead),
              30_000,
              "the reference to reach the restarted head",
            )
            const again = yield* committed(restarted, 1n, restartedHead)
            const truth = yield* committed(reference, 1n, restartedHead)
            expect(again.map((f) => bytesToHex(f))).toEqual(truth.map((f) => bytesToHex(f)))
          }),
        ).pipe(Logger.withMinimumLogLevel(LogLevel.Warning)),
      ),
    90_000,
  )
})
