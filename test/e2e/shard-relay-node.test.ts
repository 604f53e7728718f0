// A whole node (master + one data worker process) whose worker runs a shard engine stand-in: the
// worker's shard traffic goes through the master's one libp2p host, both ways, and the admin API
// shows which worker the master relays the shard to.
import { bytesToHex } from "@noble/hashes/utils.js"
import { afterAll, beforeAll, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Logger, LogLevel, Scope } from "effect"
import { startNode, type StartedNode } from "quilbun/embed"
import { shardChannels } from "../../runtime/network/bitmask.ts"
import { makeP2PHost, type P2PHostService } from "../../runtime/network/host.ts"
import { DEVNET_NETWORK_ID } from "../../config/schema.ts"
import { freePorts, p2pAddress } from "../../runtime/cli/devnet/launcher.ts"
import { prepareDevnetMembers } from "../../runtime/cli/devnet/genesis.ts"
import { testHostConfig, waitFor } from "./network/helpers.ts"
import { ECHO_PREFIX, TEST_APP_FILTER } from "./shard-relay/fixtures/echo-shard.ts"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

let base: string
let node: StartedNode
let peer: P2PHostService
let nodeAddress: string
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "quilbun-relay-node-"))
  const [member] = await run(prepareDevnetMembers(base, 1))
  if (member === undefined) throw new Error("no devnet member")
  const [port] = freePorts(1)
  nodeAddress = p2pAddress(port ?? 0, member.peerId)
  node = await startNode({
    dataDir: member.dataDir,
    workers: 1,
    workerEntry: join(import.meta.dir, "shard-relay/fixtures/echo-shard-worker.ts"),
    flags: ["--set", `engine.genesisProvers=${member.proverPublicKey}`, "--set", `p2p.listen=/ip4/127.0.0.1/tcp/${port}`],
  })
  peer = await run(makeP2PHost(testHostConfig({ networkId: DEVNET_NETWORK_ID })).pipe(Scope.extend(scope)))
  await run(peer.dial(nodeAddress))
}, 60_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await node?.stop()
  rmSync(base, { recursive: true, force: true })
})

test("the worker's shard traffic flows through the master's host, and /v1/workers shows the relayed shard", async () => {
  const channels = shardChannels(TEST_APP_FILTER)
  const filterHex = bytesToHex(TEST_APP_FILTER)
  await waitFor(
    async () => {
      const workers = (await (await node.fetch("/v1/workers")).json()) as ReadonlyArray<{ core: number; shards: ReadonlyArray<string> }>
      return workers[0]?.shards.includes(filterHex) === true
    },
    20_000,
    "the worker to activate its shard",
  )
  const echoes: Array<{ payload: Uint8Array; from: string }> = []
  await run(peer.pubsub.subscribe(channels.dispatch, { onMessage: (m) => void echoes.push(m) }))
  const nodePeerId = nodeAddress.split("/p2p/")[1] ?? ""
  await waitFor(
    () => peer.pubsub.peersInBitmask(channels.consensus).includes(nodePeerId) && peer.pubsub.canReach(nodePeerId),
    10_000,
    "the node's shard subscription to reach the peer",
  )
  // Each attempt is a new message (a resend of the same bytes would be dropped as seen) until the
  // subscriptions have propagated both ways and the worker's echo of one of them arrives.
  const echoOf = (p: Uint8Array) => Buffer.concat([ECHO_PREFIX, p])
  const sent: Array<Uint8Array> = []
  const answered = () => sent.find((p) => echoes.some((m) => Buffer.from(m.payload).equals(echoOf(p))))
  await waitFor(
    async () => {
      const payload = new TextEncoder().encode(`to the shard ${sent.length}`)
      sent.push(payload)
      await run(peer.pubsub.publish(channels.consensus, payload).pipe(Effect.ignore))
      await Bun.sleep(200)
      return answered() !== undefined
    },
    15_000,
    "the worker's echo",
  )
  const payload = answered() ?? new Uint8Array()
  expect(echoes.find((m) => Buffer.from(m.payload).equals(echoOf(payload)))?.from).toBe(nodePeerId)
  const metrics = await (await node.fetch("/metrics")).text()
  expect(metrics).toMatch(/quilbun_shard_relay_messages_total\{[^}]*direction="to_worker"[^}]*\} [1-9]/)
  expect(metrics).toMatch(/quilbun_shard_relay_shards(\{[^}]*\})? 1/)
}, 60_000)
