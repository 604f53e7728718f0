// `bun run bench p2p`: two libp2p nodes on loopback in one process.
// * pubsub_1k / pubsub_64k: bitmask pubsub messages/s from A to B, against a raw length-prefixed
//   libp2p stream between the same two nodes in the same run (target: ratio >= 0.7). Both sides use
//   the same flow control: at most WINDOW messages sent but not yet received, so neither case just
//   measures how fast a sender can fill buffers.
// * sync: 10,000 synthetic committed frames (~1.5 KB each) served by B on the global sync protocol
//   through the libp2p transport, with the real consensus transport config (range guard of
//   MAX_SYNC_RANGE frames, per-peer token bucket); A fetches them by ranges, one request in flight as
//   the engine does, and retries after a pause when rate limited (target: >= 2,000 frames/s).
// * sync_unthrottled: the same against a server without the per-peer rate limit (not a target).
// * sync_batch64: the rate-limited server asked for 64 frames per request, the engine's syncBatch.
// Optional args: `[pubsubMillis=3000]`.
import { peerIdFromString } from "@libp2p/peer-id"
import { lpStream } from "@libp2p/utils"
import { Effect, Either, Exit, Logger, LogLevel, Scope } from "effect"
import { globalConsensusTransportConfig, MAX_SYNC_RANGE } from "../../actors/consensus/global/transport-rules.ts"
import { decodeSyncRequest, encodeSyncRequest, GLOBAL_SYNC_PROTOCOL } from "../../actors/consensus/global/wire.ts"
import { type Libp2pNode, startCluster, testTransportConfig } from "../e2e/network/libp2p-cluster.ts"
import { reportRatio, reportValues } from "./report.ts"

const BENCH_MASK = Uint8Array.of(0x10)
const RAW_PROTOCOL = "/quilbun-bench/raw/1.0.0"
const WINDOW = 32
const SYNC_FRAMES = 10_000
const ENGINE_SYNC_BATCH = 64
const FRAME_BYTES = 1_500
const STALL_MILLIS = 10_000

const quiet = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

/** Counts deliveries and lets the sender wait for the next one (with a stall guard). */
class Receiver {
  received = 0
  private waiter: (() => void) | undefined
  onMessage = (): void => {
    this.received++
    const wake = this.waiter
    this.waiter = undefined
    wake?.()
  }
  async next(): Promise<void> {
    const before = this.received
    await Promise.race([new Promise<void>((resolve) => (this.waiter = resolve)), Bun.sleep(STALL_MILLIS)])
    if (this.received === before) throw new Error(`no delivery within ${STALL_MILLIS} ms (received ${before})`)
  }
}

// Message ids hash the data, so every payload of the run is distinct (warm-up included).
let sequence = 0
const payloadOf = (size: number): Uint8Array => {
  const seq = sequence++
  const payload = new Uint8Array(size)
  payload.fill(seq & 0xff)
  new DataView(payload.buffer).setUint32(0, seq)
  return payload
}

/** Sends for `millis` with at most WINDOW in flight, then waits for the rest; received messages/s. */
const windowed = async (receiver: Receiver, millis: number, size: number, send: (payload: Uint8Array) => Promise<void>): Promise<number> => {
  const start = performance.now()
  let sent = 0
  while (performance.now() - start < millis) {
    while (sent - receiver.received >= WINDOW) await receiver.next()
    await send(payloadOf(size))
    sent++
  }
  while (receiver.received < sent) await receiver.next()
  return receiver.received / ((performance.now() - start) / 1000)
}

const pubsubRate = async (a: Libp2pNode, b: Libp2pNode, size: number, millis: number): Promise<number> => {
  const receiver = new Receiver()
  const unsubscribe = await quiet(b.host.pubsub.subscribe(BENCH_MASK, { onMessage: receiver.onMessage }))
  try {
    const deadline = Date.now() + 5_000
    while (!(a.host.pubsub.peersInBitmask(BENCH_MASK).includes(b.host.peerId) && a.host.pubsub.canReach(b.host.peerId))) {
      if (Date.now() > deadline) throw new Error("pubsub subscription did not propagate")
      await Bun.sleep(10)
    }
    return await windowed(receiver, millis, size, async (payload) => {
      await quiet(a.host.pubsub.publish(BENCH_MASK, payload))
    })
  } finally {
    await quiet(unsubscribe)
  }
}

const rawStreamRate = async (a: Libp2pNode, b: Libp2pNode, size: number, millis: number): Promise<number> => {
  const receiver = new Receiver()
  await b.host.libp2p.handle(RAW_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: size + 1024 })
    try {
      for (;;) {
        await lp.read()
        receiver.onMessage()
      }
    } catch {
      // the sender closed the stream
    }
  })
  const stream = await a.host.libp2p.dialProtocol(peerIdFromString(b.host.peerId), RAW_PROTOCOL)
  try {
    const lp = lpStream(stream, { maxDataLength: size + 1024 })
    return await windowed(receiver, millis, size, (payload) => lp.write(payload))
  } finally {
    await stream.close().catch(() => stream.abort(new Error("bench done")))
    await b.host.libp2p.unhandle(RAW_PROTOCOL)
  }
}

// ---- sync ------------------------------------------------------------------------------------

/** Response body: u32 count, then per frame u64 frame number ‖ u32 length ‖ bytes. */
const encodeFrames = (frames: ReadonlyArray<Uint8Array>, first: number): Uint8Array => {
  const total = 4 + frames.reduce((n, f) => n + 12 + f.length, 0)
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  view.setUint32(0, frames.length)
  let at = 4
  frames.forEach((frame, i) => {
    view.setBigUint64(at, BigInt(first + i))
    view.setUint32(at + 8, frame.length)
    out.set(frame, at + 12)
    at += 12 + frame.length
  })
  return out
}

/** Checks the frames are contiguous from `first`; returns how many arrived. */
const checkFrames = (body: Uint8Array, first: number): number => {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const count = view.getUint32(0)
  let at = 4
  for (let i = 0; i < count; i++) {
    if (view.getBigUint64(at) !== BigInt(first + i)) throw new Error(`frame ${first + i} out of order`)
    at += 12 + view.getUint32(at + 8)
  }
  if (at !== body.length) throw new Error("trailing bytes in sync response")
  return count
}

const syncRate = async (client: Libp2pNode, server: Libp2pNode, scope: Scope.Scope, range: number): Promise<Record<string, number>> => {
  const frames = Array.from({ length: SYNC_FRAMES }, (_, i) => crypto.getRandomValues(new Uint8Array(FRAME_BYTES - (i % 64))))
  await quiet(
    server.transport
      .serve(GLOBAL_SYNC_PROTOCOL, (_peer, data) =>
        Effect.sync(() => {
          const request = decodeSyncRequest(data)
          if (Either.isLeft(request)) return new Uint8Array(4)
          const from = Number(request.right.fromFrameNumber)
          return encodeFrames(frames.slice(from, from + request.right.limit), from)
        }),
      )
      .pipe(Scope.extend(scope)),
  )
  let next = 0
  let requests = 0
  let rateLimited = 0
  const start = performance.now()
  while (next < SYNC_FRAMES) {
    requests++
    const answer = await quiet(
      Effect.either(
        client.transport.requestTyped(server.host.peerId, GLOBAL_SYNC_PROTOCOL, encodeSyncRequest({ fromFrameNumber: BigInt(next), limit: range })),
      ),
    )
    if (Either.isLeft(answer)) {
      if (answer.left.reason !== "rate-limited") throw new Error(`sync request failed: ${answer.left.reason}: ${answer.left.detail}`)
      rateLimited++
      await Bun.sleep(50)
      continue
    }
    const got = checkFrames(answer.right, next)
    if (got === 0) throw new Error(`server returned no frames at ${next}`)
    next += got
  }
  const seconds = (performance.now() - start) / 1000
  return { "frames/s": SYNC_FRAMES / seconds, requests, rate_limited: rateLimited, ms: seconds * 1000 }
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const millis = Number(args[0] ?? 3_000)
  const scope = Effect.runSync(Scope.make())
  try {
    // Node 1 serves sync with the production consensus transport config (range guard, rate limit);
    // node 2 the same without the per-peer rate limit, to show what the transport itself can carry.
    const unthrottled = { capacity: 1_000_000, refillPerSecond: 1_000_000, maxPeers: 16 }
    const nodes = await quiet(
      startCluster(3, (i) => (i === 0 ? testTransportConfig() : globalConsensusTransportConfig(i === 1 ? {} : { inboundRate: unthrottled }))).pipe(
        Scope.extend(scope),
      ),
    )
    const [a, b, c] = nodes
    if (a === undefined || b === undefined || c === undefined) throw new Error("cluster did not start")

    // Warm-up (JIT, gossipsub mesh, stream setup), not reported.
    await pubsubRate(a, b, 1024, 300)
    await rawStreamRate(a, b, 1024, 300)

    for (const [name, size] of [
      ["pubsub_1k", 1024],
      ["pubsub_64k", 64 * 1024],
    ] as const) {
      const raw = await rawStreamRate(a, b, size, millis)
      const pubsub = await pubsubRate(a, b, size, millis)
      reportRatio(`p2p.${name}`, "ops/s", pubsub, raw)
    }

    reportValues("p2p.sync", await syncRate(a, b, scope, MAX_SYNC_RANGE))
    reportValues("p2p.sync_unthrottled", await syncRate(a, c, scope, MAX_SYNC_RANGE))
    // The engine asks for ENGINE_SYNC_BATCH frames per request (actors/consensus/global/config.ts).
    reportValues("p2p.sync_batch64", await syncRate(a, b, scope, ENGINE_SYNC_BATCH))
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
