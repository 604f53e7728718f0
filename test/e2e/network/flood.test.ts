// A peer flooding invalid messages: the victim's validator rejects them, the flooder's score drops
// below the graylist threshold, after which the victim's router drops its traffic unvalidated; the
// victim's heap stays bounded and a well-behaved peer's messages are still delivered.
import { afterEach, describe, expect, test } from "bun:test"
import { Effect, Metric } from "effect"
import type { BitmaskMessage } from "../../../runtime/network/bitmask-pubsub.ts"
import { bitmaskValidationTotal, peerScoreGauge } from "../../../runtime/network/metrics.ts"
import { peerScoreThresholds } from "../../../runtime/network/scoring.ts"
import { startHost, testHostConfig, waitFor, type RunningHost } from "./helpers.ts"

const MASK = Uint8Array.of(0x04)
const FLOOD = 5_000
const SIZE = 256
const INVALID = 0xee
const VALID = 0x01

const running: Array<RunningHost> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()))
})
const start = async (overrides: Parameters<typeof startHost>[0] = {}): Promise<RunningHost> => {
  const host = await startHost(overrides)
  running.push(host)
  return host
}

const message = (kind: number, seq: number): Uint8Array => {
  const payload = new Uint8Array(SIZE)
  payload[0] = kind
  new DataView(payload.buffer).setUint32(1, seq)
  return payload
}

const SLICE = "04"
const validations = (outcome: string): number =>
  Effect.runSync(Metric.value(bitmaskValidationTotal.pipe(Metric.tagged("bitmask", SLICE), Metric.tagged("outcome", outcome)))).count

/** JS heap plus array-buffer backing stores after a full GC: a received payload is a small typed
 * array on the heap or a view into a larger read buffer outside it, so either way it is counted. */
const heapAfterGc = (): number => {
  Bun.gc(true)
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

describe("invalid-message flood", () => {
  test("the flooder is graylisted, its messages dropped, the heap bounded, honest traffic delivered", async () => {
    const victim = await start()
    // The flooder shares this process, so its own message history counts in the heap measured below:
    // one heartbeat window (100 ms) of sent messages and of their ids, gone by the time the flood has settled.
    const flooder = await start({ pubsub: { ...testHostConfig().pubsub, historyLength: 1, historyGossip: 1, seenTtlMillis: 100 } })
    const honest = await start()
    for (const peer of [flooder, honest]) await Effect.runPromise(victim.host.dial(peer.host.multiaddrs()[0] ?? ""))

    const delivered: Array<BitmaskMessage> = []
    let validatorRuns = 0
    Effect.runSync(
      victim.host.pubsub.subscribe(MASK, {
        onMessage: (m) => delivered.push(m),
        validate: (m) => {
          validatorRuns++
          return m.payload[0] === VALID ? "accept" : "reject"
        },
      }),
    )
    for (const sender of [flooder, honest]) {
      await waitFor(
        () => sender.host.pubsub.peersInBitmask(MASK).includes(victim.host.peerId) && sender.host.pubsub.canReach(victim.host.peerId),
        5_000,
        "victim's subscription",
      )
    }

    await Effect.runPromise(victim.host.flushMetrics)
    const rejectsBefore = validations("reject")
    // The flooder's own router keeps publishing (it does not score the victim); each message is new.
    for (let i = 0; i < FLOOD; i++) await Effect.runPromise(flooder.host.pubsub.publish(MASK, message(INVALID, i)))

    const graylist = peerScoreThresholds().graylistThreshold ?? -2500
    await waitFor(() => victim.host.pubsub.score(flooder.host.peerId) < graylist, 5_000, "flooder graylisted")
    // Let whatever is still in flight arrive, then check it was dropped before validation.
    const settled = async (): Promise<number> => {
      let last = -1
      while (validatorRuns !== last) {
        last = validatorRuns
        await Bun.sleep(200)
      }
      return last
    }
    const runsAfterFlood = await settled()
    expect(victim.host.pubsub.stats.rejected).toBe(runsAfterFlood)
    // Graylisting kicks in after a handful of rejections (P4 is quadratic); most of the flood never
    // reached the validator.
    expect(runsAfterFlood).toBeLessThan(FLOOD / 5)
    expect(delivered.length).toBe(0)

    // More flood after graylisting: as much again, and not one more validation. The heap is measured
    // across this phase, when the code paths are warm (first-run compilation is not retention).
    const heapBefore = heapAfterGc()
    for (let i = FLOOD; i < 2 * FLOOD; i++) await Effect.runPromise(flooder.host.pubsub.publish(MASK, message(INVALID, i)))
    expect(await settled()).toBe(runsAfterFlood)
    const growth = heapAfterGc() - heapBefore
    // The flood's payload bytes alone (5,000 × 256 B = 1.25 MiB): keeping every flooded message costs
    // at least that (plus the per-message objects), so a router that retained them fails here.
    expect(growth).toBeLessThan(FLOOD * SIZE)

    // The honest peer still gets through, and stays in good standing.
    for (let i = 0; i < 5; i++) await Effect.runPromise(honest.host.pubsub.publish(MASK, message(VALID, i)))
    await waitFor(() => delivered.length === 5, 5_000, "honest deliveries")
    expect(delivered.every((m) => m.from === honest.host.peerId)).toBe(true)
    expect(victim.host.pubsub.score(honest.host.peerId)).toBeGreaterThanOrEqual(0)

    // The per-slice traffic and the metrics tell the same story.
    const traffic = victim.host.pubsub.sliceTraffic.get(SLICE)
    expect(traffic).toMatchObject({ received: runsAfterFlood + 5, rejected: runsAfterFlood, accepted: 5, ignored: 0 })
    expect(flooder.host.pubsub.sliceTraffic.get(SLICE)?.published).toBe(2 * FLOOD)
    await Effect.runPromise(victim.host.flushMetrics)
    expect(validations("reject") - rejectsBefore).toBe(runsAfterFlood)
    const flooderScore = Effect.runSync(Metric.value(peerScoreGauge.pipe(Metric.tagged("peer", flooder.host.peerId)))).value
    expect(flooderScore).toBeLessThan(graylist)
  }, 30_000)
})
