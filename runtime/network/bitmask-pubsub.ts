// Bitmask pubsub on top of @libp2p/gossipsub (decision and reasons: DECISIONS.md).
//
// * Each bitmask *slice* is one gossipsub topic (`/quilbun/<net>/bitmask/<slice hex>`), so meshes
//   and SUBSCRIBE announcements are per slice, as in BlossomSub.
// * A message travels on one slice topic (chosen at random, like BlossomSub's publish) and carries
//   its full bitmask in an envelope (envelope.ts).
// * It is delivered locally only if every slice of its bitmask is subscribed, and then handed to the
//   subscriptions that accept that mask (exact match, or a broad subscription covering it).
// * Validation runs in gossipsub's topic validators: a malformed envelope, or a mask that does not
//   contain the slice it travelled on, is rejected (P4 penalty for the sender); otherwise the
//   validators of the accepting subscriptions decide accept / ignore / reject.
import { bytesToHex } from "@noble/hashes/utils.js"
import { TopicValidatorResult } from "@libp2p/gossipsub"
import type { GossipSub, GossipsubMessage, Message } from "@libp2p/gossipsub"
import { createTopicScoreParams, validateTopicScoreParams } from "@libp2p/gossipsub/score"
import type { TopicScoreParams } from "@libp2p/gossipsub/score"
import { Effect, Either } from "effect"
import { sliceBitmask, subscriptionMatcher, type Bitmask } from "./bitmask.ts"
import { decodeEnvelope, envelopeBytes, MAX_BITMASK_BYTES } from "./envelope.ts"
import { describeError, InvalidBitmask, PublishFailed } from "./errors.ts"
import { messageId, type MessageIdForm } from "./message-id.ts"
import { PeerIdStrings } from "./peer-id-strings.ts"
import { sliceTopic } from "./protocol-ids.ts"
import { topicScoreParams } from "./scoring.ts"
import { SeenCache, type SeenCacheOptions } from "./seen-cache.ts"

export type Verdict = "accept" | "ignore" | "reject"

export interface BitmaskMessage {
  readonly bitmask: Bitmask
  readonly payload: Uint8Array
  /** the original publisher (StrictSign: signed by it) */
  readonly from: string
  /** the slice topic the message travelled on */
  readonly topic: string
}

export interface SubscribeOptions {
  readonly onMessage: (message: BitmaskMessage) => void
  /** runs before delivery and forwarding; Reject penalises the peer that sent it to us */
  readonly validate?: (message: BitmaskMessage) => Verdict | Promise<Verdict>
}

export interface BitmaskPubsubStats {
  delivered: number
  /** arrived on a subscribed slice, but not every slice of its mask is subscribed */
  notSubscribedToAllSlices: number
  /** every slice subscribed, yet no subscription accepts the exact mask */
  noMatchingSubscription: number
  malformed: number
  rejected: number
  ignored: number
  /** delivered before (e.g. re-published after the router's seen entry expired) */
  duplicate: number
  /** an onMessage handler threw; the message still reached the other handlers */
  handlerFailures: number
  /** own publishes handed to local subscribers (`loopback`) */
  loopback: number
}

/**
 * Traffic of one slice topic. Keyed by slice, not by the message's full mask: slices are bounded by
 * our own subscriptions and publishes, while masks arrive from peers (unbounded label cardinality).
 */
export interface SliceTraffic {
  /** messages that reached our validator on this slice */
  received: number
  /** own publishes sent on this slice */
  published: number
  accepted: number
  ignored: number
  rejected: number
}

export interface PublishOptions {
  /**
   * Also hand the message to this node's own subscribers. The router never echoes our publishes,
   * and without the loopback a 1-of-1 quorum never forms (node.md §9.1).
   */
  readonly loopback?: boolean
}

export interface BitmaskPubsubOptions {
  readonly networkId: number
  /** picks the slice a publish travels on: an index in [0, count). Injected for determinism. */
  readonly chooseSlice?: (count: number) => number
  readonly maxPayloadBytes: number
  readonly messageIdForm: MessageIdForm
  /** delivery-side dedupe, bounded by size and time (the router's own seen cache is time-only) */
  readonly seenCache: SeenCacheOptions
  /** milliseconds for the seen cache; injected for tests */
  readonly now?: () => number
  /** `from` of looped-back own messages */
  readonly selfPeerId?: string
}

/**
 * Router options the bitmask layer expects: message ids are `messageId(data, form)` and their string
 * form is `bytesToHex`, so the id string the router hands over with each message is the key of the
 * delivery-side seen cache (no second hash of the data), and a looped-back own publish gets the same
 * key as a copy received from a peer.
 *
 * `fastMsgIdFn` is the same id, computed from the raw RPC message before the router checks its
 * signature: a copy of a message already accepted (a mesh delivers most messages several times)
 * is dropped as a duplicate without a second Ed25519 verification. The router only records the id
 * after the signature verified, so a forged copy cannot claim it first. The digest is kept for
 * `msgIdFn`, which the router calls next on the same bytes, so each message is hashed once.
 */
export const bitmaskRouterMessageIds = (form: MessageIdForm) => {
  const digests = new WeakMap<Uint8Array, Uint8Array>()
  return {
    fastMsgIdFn: (rpc: { readonly data?: Uint8Array }): string => {
      const data = rpc.data ?? new Uint8Array(0)
      const id = messageId(data, form)
      digests.set(data, id)
      return bytesToHex(id)
    },
    msgIdFn: (message: Message): Uint8Array => digests.get(message.data) ?? messageId(message.data, form),
    msgIdToStrFn: bytesToHex,
  }
}

/**
 * The gossipsub internals the bitmask layer relies on, beyond its public interface: per-peer scores,
 * the live score-parameter table (topics are registered as slices get subscribed), and the outbound
 * stream map (a publish reaches a peer only once the router has opened its outbound stream to it;
 * until then gossipsub silently skips the peer). Checked at construction so a library change fails
 * loudly instead of silently disabling scoring.
 */
interface GossipsubInternals {
  getScore(peerId: string): number
  readonly score: { readonly params: { readonly topics: Record<string, TopicScoreParams> } }
  readonly streamsOutbound: ReadonlyMap<string, unknown>
}

const hasInternals = (router: GossipSub): router is GossipSub & GossipsubInternals => {
  const candidate = router as Partial<GossipsubInternals>
  return typeof candidate.getScore === "function" && typeof candidate.score?.params?.topics === "object" && candidate.streamsOutbound instanceof Map
}

interface Subscription {
  readonly id: number
  readonly bitmask: Bitmask
  readonly accepts: (message: Bitmask) => boolean
  readonly options: SubscribeOptions
}

/** A decoded envelope with the hex of its mask's slices, computed once per message. */
interface Decoded {
  readonly message: BitmaskMessage
  readonly slices: ReadonlyArray<string>
}

type ValidatorOutcome = TopicValidatorResult | Promise<TopicValidatorResult>

const randomSlice = (count: number): number => Math.floor(Math.random() * count)

const toValidatorResult = (verdict: Verdict): TopicValidatorResult =>
  verdict === "accept" ? TopicValidatorResult.Accept : verdict === "ignore" ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject

/** Originators whose peer id strings are kept (peer-id-strings.ts); more only costs re-encoding. */
const ORIGINATOR_STRINGS = 4_096

export class BitmaskPubsub {
  private readonly counts: BitmaskPubsubStats = {
    delivered: 0,
    notSubscribedToAllSlices: 0,
    noMatchingSubscription: 0,
    malformed: 0,
    rejected: 0,
    ignored: 0,
    duplicate: 0,
    handlerFailures: 0,
    loopback: 0,
  }
  private readonly router: GossipSub & GossipsubInternals
  private readonly subscriptions = new Map<number, Subscription>()
  private readonly traffic = new Map<string, SliceTraffic>()
  /** slice hex → number of subscriptions using it */
  private readonly sliceRefs = new Map<string, number>()
  private nextId = 0
  private readonly chooseSlice: (count: number) => number
  private readonly seen: SeenCache
  private readonly now: () => number
  private readonly topicPrefix: string
  private readonly originators = new PeerIdStrings(ORIGINATOR_STRINGS)
  private readonly onRouterMessage = (event: CustomEvent<GossipsubMessage>): void => this.deliver(event.detail.msg, event.detail.msgId)

  constructor(
    router: GossipSub,
    private readonly options: BitmaskPubsubOptions,
  ) {
    if (!hasInternals(router)) {
      throw new Error("@libp2p/gossipsub no longer exposes getScore / score.params / streamsOutbound")
    }
    this.router = router
    this.chooseSlice = options.chooseSlice ?? randomSlice
    this.seen = new SeenCache(options.seenCache)
    this.now = options.now ?? Date.now
    this.topicPrefix = sliceTopic(options.networkId, "")
    // "gossipsub:message" carries the router's id string with the message (see bitmaskRouterMessageIds)
    router.addEventListener("gossipsub:message", this.onRouterMessage)
  }

  /** Running counts by outcome (a live view; flushed into metrics by the host). */
  get stats(): Readonly<BitmaskPubsubStats> {
    return this.counts
  }

  /** Per-slice traffic and validation outcomes (a live view; flushed into metrics by the host). */
  get sliceTraffic(): ReadonlyMap<string, Readonly<SliceTraffic>> {
    return this.traffic
  }

  private trafficOf(sliceHex: string): SliceTraffic {
    let entry = this.traffic.get(sliceHex)
    if (entry === undefined) {
      entry = { received: 0, published: 0, accepted: 0, ignored: 0, rejected: 0 }
      this.traffic.set(sliceHex, entry)
    }
    return entry
  }

  /** Detaches from the router (the router itself belongs to the libp2p node). */
  close(): void {
    this.router.removeEventListener("gossipsub:message", this.onRouterMessage)
    for (const sliceHex of this.sliceRefs.keys()) this.leaveSlice(sliceHex)
    this.sliceRefs.clear()
    this.subscriptions.clear()
  }

  topicOf(sliceHex: string): string {
    return sliceTopic(this.options.networkId, sliceHex)
  }

  /** Hex of every slice currently subscribed. */
  subscribedSlices(): ReadonlySet<string> {
    return new Set(this.sliceRefs.keys())
  }

  /** Subscribes every slice of `bitmask`; the returned effect unsubscribes. */
  subscribe(bitmask: Bitmask, options: SubscribeOptions): Effect.Effect<Effect.Effect<void>, InvalidBitmask> {
    return Effect.gen(this, function* () {
      yield* checkBitmask(bitmask)
      const subscription: Subscription = {
        id: this.nextId++,
        bitmask: bitmask.slice(),
        accepts: subscriptionMatcher(bitmask),
        options,
      }
      this.subscriptions.set(subscription.id, subscription)
      for (const slice of sliceBitmask(bitmask)) {
        const sliceHex = bytesToHex(slice)
        const refs = this.sliceRefs.get(sliceHex) ?? 0
        this.sliceRefs.set(sliceHex, refs + 1)
        if (refs === 0) this.joinSlice(sliceHex)
      }
      return Effect.sync(() => this.unsubscribe(subscription.id))
    })
  }

  publish(bitmask: Bitmask, payload: Uint8Array, options: PublishOptions = {}): Effect.Effect<{ readonly recipients: number }, InvalidBitmask | PublishFailed> {
    // One suspend and one tryPromise per publish: this runs for every message the node sends.
    return Effect.suspend(() => {
      const prepared = this.preparePublish(bitmask, payload)
      if (Either.isLeft(prepared)) return Effect.fail(prepared.left)
      const { data, sliceHex, topic, slices } = prepared.right
      return Effect.tryPromise({
        try: () => this.router.publish(topic, data),
        catch: (error) => new PublishFailed({ bitmask: bytesToHex(bitmask), reason: describeError(error) }),
      }).pipe(
        Effect.map((result) => {
          this.trafficOf(sliceHex).published++
          if (options.loopback === true) {
            this.counts.loopback++
            const message: BitmaskMessage = { bitmask, payload, from: this.selfId(), topic }
            const key = bytesToHex(messageId(data, this.options.messageIdForm))
            this.handOver(key, { message, slices })
          }
          return { recipients: result.recipients.length }
        }),
      )
    })
  }

  /** The checks and encoding of a publish: the envelope and the slice topic it travels on. */
  private preparePublish(
    bitmask: Bitmask,
    payload: Uint8Array,
  ): Either.Either<{ data: Uint8Array; sliceHex: string; topic: string; slices: ReadonlyArray<string> }, InvalidBitmask | PublishFailed> {
    const invalid = bitmaskProblem(bitmask)
    if (invalid !== undefined) return Either.left(invalid)
    if (payload.length > this.options.maxPayloadBytes) {
      return Either.left(
        new PublishFailed({
          bitmask: bytesToHex(bitmask),
          reason: `payload of ${payload.length} bytes exceeds ${this.options.maxPayloadBytes}`,
        }),
      )
    }
    const slices = sliceBitmask(bitmask).map(bytesToHex)
    const sliceHex = slices[this.chooseSlice(slices.length)] ?? slices[0]
    if (sliceHex === undefined) return Either.left(new InvalidBitmask({ reason: "bitmask has no slice" }))
    // bitmaskProblem above checked the mask's length, the envelope's only constraint
    const data = envelopeBytes(bitmask, payload)
    return Either.right({ data, sliceHex, topic: this.topicOf(sliceHex), slices })
  }

  /** Peers in a bitmask: the intersection of the peers subscribed to each of its slices. */
  peersInBitmask(bitmask: Bitmask): ReadonlyArray<string> {
    let peers: Set<string> | undefined
    for (const slice of sliceBitmask(bitmask)) {
      const here = new Set(this.router.getSubscribers(this.topicOf(bytesToHex(slice))).map(String))
      peers = peers === undefined ? here : new Set([...peers].filter((peer) => here.has(peer)))
    }
    return [...(peers ?? [])]
  }

  /** Whether a publish can reach the peer now (the router's outbound stream to it is open). */
  canReach(peerId: string): boolean {
    return this.router.streamsOutbound.has(peerId)
  }

  /** The router's current score of a peer (negative after rejected deliveries). */
  score(peerId: string): number {
    return this.router.getScore(peerId)
  }

  private unsubscribe(id: number): void {
    const subscription = this.subscriptions.get(id)
    if (subscription === undefined) return
    this.subscriptions.delete(id)
    for (const slice of sliceBitmask(subscription.bitmask)) {
      const sliceHex = bytesToHex(slice)
      const refs = (this.sliceRefs.get(sliceHex) ?? 1) - 1
      if (refs > 0) {
        this.sliceRefs.set(sliceHex, refs)
      } else {
        this.sliceRefs.delete(sliceHex)
        this.leaveSlice(sliceHex)
      }
    }
  }

  private joinSlice(sliceHex: string): void {
    const topic = this.topicOf(sliceHex)
    const topics = this.router.score.params.topics
    if (topics[topic] === undefined) {
      const params = createTopicScoreParams(topicScoreParams())
      validateTopicScoreParams(params)
      topics[topic] = params
    }
    this.router.topicValidators.set(topic, (_peer, message) => this.validate(sliceHex, message))
    this.router.subscribe(topic)
  }

  private leaveSlice(sliceHex: string): void {
    const topic = this.topicOf(sliceHex)
    this.router.unsubscribe(topic)
    this.router.topicValidators.delete(topic)
    // The topic's score parameters stay: scores of peers that misbehaved there keep counting.
  }

  // The router hands the same Message object to the validator and then to the "gossipsub:message"
  // event, so the envelope is decoded (and its mask sliced) once.
  private readonly decoded = new WeakMap<Message, Decoded | null>()

  private decode(sliceHex: string, message: Message): Decoded | undefined {
    const cached = this.decoded.get(message)
    if (cached !== undefined) return cached ?? undefined
    const result = this.decodeUncached(sliceHex, message)
    this.decoded.set(message, result ?? null)
    return result
  }

  private decodeUncached(sliceHex: string, message: Message): Decoded | undefined {
    const envelope = decodeEnvelope(message.data)
    if (Either.isLeft(envelope)) return undefined
    const { bitmask, payload } = envelope.right
    const slices = sliceBitmask(bitmask).map(bytesToHex)
    if (!slices.includes(sliceHex)) return undefined
    return { message: { bitmask, payload, from: this.fromOf(message), topic: message.topic }, slices }
  }

  private fromOf(message: Message): string {
    return message.type === "signed" ? this.originators.of(message.from) : ""
  }

  private isDeliverable(decoded: Decoded): boolean {
    return decoded.slices.every((slice) => this.sliceRefs.has(slice))
  }

  private accepting(bitmask: Bitmask): Array<Subscription> {
    const out: Array<Subscription> = []
    for (const subscription of this.subscriptions.values()) if (subscription.accepts(bitmask)) out.push(subscription)
    return out
  }

  /**
   * The topic validator. Synchronous unless a subscription's validator returns a promise: the
   * router awaits it either way, and most validators (the consensus transport's) are synchronous.
   */
  private validate(sliceHex: string, message: Message): ValidatorOutcome {
    const traffic = this.trafficOf(sliceHex)
    traffic.received++
    const outcome = this.verdictOf(sliceHex, message)
    if (outcome instanceof Promise) return outcome.then((result) => this.countValidation(traffic, result))
    return this.countValidation(traffic, outcome)
  }

  private countValidation(traffic: SliceTraffic, result: TopicValidatorResult): TopicValidatorResult {
    if (result === TopicValidatorResult.Accept) traffic.accepted++
    else if (result === TopicValidatorResult.Ignore) traffic.ignored++
    else traffic.rejected++
    return result
  }

  private verdictOf(sliceHex: string, message: Message): ValidatorOutcome {
    const decoded = this.decode(sliceHex, message)
    if (decoded === undefined || decoded.message.payload.length > this.options.maxPayloadBytes) {
      this.counts.malformed++
      this.counts.rejected++
      return TopicValidatorResult.Reject
    }
    // Only messages we will deliver are validated here; the rest are relayed as far as the
    // router's own checks (signature, seen cache, size) allow.
    if (!this.isDeliverable(decoded)) return TopicValidatorResult.Accept
    const validators: Array<NonNullable<SubscribeOptions["validate"]>> = []
    for (const subscription of this.accepting(decoded.message.bitmask)) {
      if (subscription.options.validate !== undefined) validators.push(subscription.options.validate)
    }
    return this.combineVerdicts(decoded.message, validators, 0, "accept")
  }

  /**
   * Runs the validators in order from `index`: the first reject wins, any ignore makes it ignore.
   * Stays synchronous while the validators answer synchronously.
   */
  private combineVerdicts(
    message: BitmaskMessage,
    validators: ReadonlyArray<NonNullable<SubscribeOptions["validate"]>>,
    index: number,
    verdict: Verdict,
  ): ValidatorOutcome {
    for (let i = index; i < validators.length; i++) {
      let result: Verdict | Promise<Verdict>
      try {
        result = validators[i]!(message)
      } catch {
        // A validator that throws is a bug on our side, not the peer's: ignore, don't penalise.
        result = "ignore"
      }
      if (result instanceof Promise) {
        const [rest, soFar] = [i + 1, verdict]
        return result.catch((): Verdict => "ignore").then((settled) => this.combineVerdicts(message, validators, rest, merge(soFar, settled)))
      }
      verdict = merge(verdict, result)
      if (verdict === "reject") break
    }
    if (verdict === "reject") this.counts.rejected++
    if (verdict === "ignore") this.counts.ignored++
    return toValidatorResult(verdict)
  }

  private deliver(message: Message, idKey: string): void {
    const sliceHex = this.sliceOfTopic(message.topic)
    if (sliceHex === undefined) return
    const decoded = this.decode(sliceHex, message)
    if (decoded === undefined) return
    if (!this.isDeliverable(decoded)) {
      this.counts.notSubscribedToAllSlices++
      return
    }
    const targets = this.accepting(decoded.message.bitmask)
    if (targets.length === 0) {
      this.counts.noMatchingSubscription++
      return
    }
    this.handOver(idKey, decoded, targets)
  }

  private handOver(idKey: string, decoded: Decoded, targets: ReadonlyArray<Subscription> = this.accepting(decoded.message.bitmask)): void {
    if (targets.length === 0 || !this.isDeliverable(decoded)) return
    if (this.seen.checkAndAdd(idKey, this.now())) {
      this.counts.duplicate++
      return
    }
    this.counts.delivered++
    for (const target of targets) {
      try {
        target.options.onMessage(decoded.message)
      } catch {
        this.counts.handlerFailures++
      }
    }
  }

  private selfId(): string {
    return this.options.selfPeerId ?? ""
  }

  private sliceOfTopic(topic: string): string | undefined {
    return topic.startsWith(this.topicPrefix) ? topic.slice(this.topicPrefix.length) : undefined
  }
}

/** Reject beats ignore beats accept. */
const merge = (current: Verdict, next: Verdict): Verdict =>
  current === "reject" || next === "reject" ? "reject" : current === "ignore" || next === "ignore" ? "ignore" : "accept"

const bitmaskProblem = (bitmask: Bitmask): InvalidBitmask | undefined =>
  bitmask.length === 0 || bitmask.length > MAX_BITMASK_BYTES
    ? new InvalidBitmask({ reason: `bitmask must be 1..${MAX_BITMASK_BYTES} bytes, got ${bitmask.length}` })
    : undefined

const checkBitmask = (bitmask: Bitmask): Effect.Effect<void, InvalidBitmask> => {
  const problem = bitmaskProblem(bitmask)
  return problem === undefined ? Effect.void : Effect.fail(problem)
}
