// A stand-in for the host's bitmask pubsub in unit tests: subscriptions recorded per mask and playable
// (`arrive` runs a message through validate, then onMessage when accepted), publishes recorded or
// failed on demand.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { RelayPubsub } from "../../../actors/shard-relay/index.ts"
import type { Bitmask } from "../../../runtime/network/bitmask.ts"
import type { BitmaskMessage, SubscribeOptions } from "../../../runtime/network/bitmask-pubsub.ts"
import { PublishFailed } from "../../../runtime/network/errors.ts"

export class FakePubsub implements RelayPubsub {
  readonly subs = new Map<string, SubscribeOptions>()
  readonly published: Array<{ readonly mask: string; readonly payload: Uint8Array }> = []
  /** "error": no peer hears a publish (PublishFailed); "defect": the pubsub itself blows up */
  failPublish: "no" | "error" | "defect" = "no"
  constructor(readonly recipients = 1) {}
  subscribe(mask: Bitmask, options: SubscribeOptions) {
    this.subs.set(bytesToHex(mask), options)
    return Effect.succeed(Effect.sync(() => void this.subs.delete(bytesToHex(mask))))
  }
  publish(mask: Bitmask, payload: Uint8Array) {
    if (this.failPublish === "defect") return Effect.die(new Error("pubsub blew up"))
    if (this.failPublish === "error") return Effect.fail(new PublishFailed({ bitmask: bytesToHex(mask), reason: "no peers" }))
    this.published.push({ mask: bytesToHex(mask), payload })
    return Effect.succeed({ recipients: this.recipients })
  }
  peersInBitmask(mask: Bitmask): ReadonlyArray<string> {
    return this.subs.has(bytesToHex(mask)) ? ["peer-b", "peer-c"] : []
  }
  /** A message from peer-b on `mask`: the verdict, or "not subscribed". */
  async arrive(mask: Bitmask, payload: Uint8Array): Promise<string> {
    const sub = this.subs.get(bytesToHex(mask))
    if (sub === undefined) return "not subscribed"
    const message: BitmaskMessage = { bitmask: mask, payload, from: "peer-b", topic: "t" }
    const verdict = await (sub.validate?.(message) ?? "accept")
    if (verdict === "accept") sub.onMessage(message)
    return verdict
  }
  /** What was published on `mask`, in order. */
  on(mask: Bitmask): ReadonlyArray<Uint8Array> {
    return this.published.filter((p) => p.mask === bytesToHex(mask)).map((p) => p.payload)
  }
}
