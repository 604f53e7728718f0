// In-memory Transport for devnets and simulations: every endpoint lives in one process and messages
// travel through a shared hub with seeded latency and fault injection (drop, duplicate, delay,
// partitions, crashed endpoints, per-message interception for byzantine tests). Delivery sleeps on
// Effect's Clock, so under TestClock a whole devnet runs in virtual time and replays from its seed.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, type Scope } from "effect"
import { seededRandom, type SeededRandom } from "./seeded-random.ts"
import { type Bitmask, type InboundMessage, type MessageHandler, type RequestHandler, TransportError, type TransportService } from "./transport.ts"

export interface LinkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number
  /** Probability that a message is delivered twice (with independent delays). */
  readonly duplicateRate: number
  /** Delivery delay range, ms of Clock time. */
  readonly minDelayMs: number
  readonly maxDelayMs: number
}

const defaultLinkFaults: LinkFaults = { dropRate: 0, duplicateRate: 0, minDelayMs: 2, maxDelayMs: 10 }

interface InterceptedMessage {
  readonly from: string
  readonly to: string
  readonly bitmask: Bitmask
  readonly data: Uint8Array
}

/**
 * Rewrites one message on its way to one recipient: `[]` drops it, `[data]` passes it, several
 * payloads are delivered in order. Runs synchronously at publish time (per recipient, sorted by id).
 */
type Interceptor = (message: InterceptedMessage) => ReadonlyArray<Uint8Array>

interface NetworkStats {
  readonly sent: number
  readonly delivered: number
  readonly dropped: number
  readonly duplicated: number
  readonly requests: number
}

export interface InMemoryNetwork {
  /** Attach an endpoint for `peerId` until the scope closes (closing it = the node crashed). */
  readonly endpoint: (peerId: string) => Effect.Effect<TransportService, never, Scope.Scope>
  /** Peers in different groups cannot reach each other (peers in no group reach nobody but themselves). */
  readonly partition: (groups: ReadonlyArray<ReadonlyArray<string>>) => void
  readonly heal: () => void
  readonly setFaults: (faults: Partial<LinkFaults>) => void
  readonly intercept: (interceptor: Interceptor | undefined) => void
  readonly attached: () => ReadonlyArray<string>
  readonly stats: () => NetworkStats
}

interface Endpoint {
  readonly subscriptions: Map<string, Set<MessageHandler>>
  readonly services: Map<string, RequestHandler>
}

export interface InMemoryNetworkOptions {
  readonly seed: number
  readonly faults?: Partial<LinkFaults>
}

/** The hub; its forked deliveries live in the calling scope. */
export const makeInMemoryNetwork = (options: InMemoryNetworkOptions): Effect.Effect<InMemoryNetwork, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const random: SeededRandom = seededRandom(options.seed)
    const endpoints = new Map<string, Endpoint>()
    let faults: LinkFaults = { ...defaultLinkFaults, ...options.faults }
    let groups: Map<string, number> | undefined
    let interceptor: Interceptor | undefined
    const stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, requests: 0 }

    const reachable = (a: string, b: string): boolean => {
      if (a === b) return true
      if (!endpoints.has(a) || !endpoints.has(b)) return false
      if (groups === undefined) return true
      const ga = groups.get(a)
      return ga !== undefined && ga === groups.get(b)
    }
    const delay = (): number => random.int(faults.minDelayMs, Math.max(faults.minDelayMs, faults.maxDelayMs))

    // Messages due at the same instant share one sleeping fiber (fewer timers to wake under TestClock);
    // within an instant they are delivered in send order.
    const batches = new Map<number, Array<{ readonly message: InboundMessage; readonly to: string }>>()
    const deliver = (message: InboundMessage, to: string): void => {
      // The link is checked again on arrival: a crash or partition also cuts messages in flight.
      const endpoint = endpoints.get(to)
      if (endpoint === undefined || !reachable(message.from, to)) {
        stats.dropped++
        return
      }
      const handlers = endpoint.subscriptions.get(bytesToHex(message.bitmask))
      if (handlers === undefined) return
      stats.delivered++
      for (const handler of handlers) handler(message)
    }
    const deliverLater = (message: InboundMessage, to: string, ms: number) =>
      Effect.gen(function* () {
        const due = (yield* Clock.currentTimeMillis) + ms
        const batch = batches.get(due)
        if (batch !== undefined) {
          batch.push({ message, to })
          return
        }
        batches.set(due, [{ message, to }])
        yield* Effect.sleep(ms).pipe(
          Effect.zipRight(
            Effect.sync(() => {
              const items = batches.get(due) ?? []
              batches.delete(due)
              for (const item of items) deliver(item.message, item.to)
            }),
          ),
          Effect.forkIn(scope),
        )
      })

    const publishFrom = (from: string, bitmask: Bitmask, data: Uint8Array) =>
      Effect.gen(function* () {
        const key = bytesToHex(bitmask)
        const recipients = [...endpoints.entries()]
          .filter(([id, e]) => id !== from && e.subscriptions.has(key))
          .map(([id]) => id)
          .sort()
        for (const to of recipients) {
          const payloads = interceptor === undefined ? [data] : interceptor({ from, to, bitmask, data })
          for (const payload of payloads) {
            stats.sent++
            if (!reachable(from, to) || random.chance(faults.dropRate)) {
              stats.dropped++
              continue
            }
            const message: InboundMessage = { from, bitmask, data: payload }
            yield* deliverLater(message, to, delay())
            if (random.chance(faults.duplicateRate)) {
              stats.duplicated++
              yield* deliverLater(message, to, delay())
            }
          }
        }
      })

    const requestFrom = (from: string, to: string, protocol: string, data: Uint8Array) =>
      Effect.gen(function* () {
        stats.requests++
        if (!reachable(from, to)) return yield* Effect.fail(new TransportError({ reason: "unreachable", detail: `${from} cannot reach ${to}` }))
        yield* Effect.sleep(delay())
        const handler = endpoints.get(to)?.services.get(protocol)
        if (handler === undefined || !reachable(from, to)) {
          return yield* Effect.fail(new TransportError({ reason: "no-handler", detail: `${to} does not serve ${protocol}` }))
        }
        const reply = yield* handler(from, data)
        yield* Effect.sleep(delay())
        if (!reachable(from, to)) return yield* Effect.fail(new TransportError({ reason: "unreachable", detail: `${to} went away` }))
        return reply
      })

    const endpoint = (peerId: string): Effect.Effect<TransportService, never, Scope.Scope> =>
      Effect.acquireRelease(
        Effect.sync(() => {
          if (endpoints.has(peerId)) throw new Error(`peer ${peerId} is already attached`)
          const e: Endpoint = { subscriptions: new Map(), services: new Map() }
          endpoints.set(peerId, e)
          const service: TransportService = {
            peerId,
            publish: (bitmask, data) => publishFrom(peerId, bitmask, data),
            subscribe: (bitmask, handler) =>
              Effect.acquireRelease(
                Effect.sync(() => {
                  const key = bytesToHex(bitmask)
                  const set = e.subscriptions.get(key) ?? new Set<MessageHandler>()
                  set.add(handler)
                  e.subscriptions.set(key, set)
                  return key
                }),
                (key) => Effect.sync(() => e.subscriptions.get(key)?.delete(handler)),
              ).pipe(Effect.asVoid),
            request: (peer, protocol, data) => requestFrom(peerId, peer, protocol, data),
            serve: (protocol, handler) =>
              Effect.acquireRelease(
                Effect.sync(() => e.services.set(protocol, handler)),
                () => Effect.sync(() => e.services.delete(protocol)),
              ).pipe(Effect.asVoid),
            peers: Effect.sync(() => [...endpoints.keys()].filter((p) => p !== peerId && reachable(peerId, p)).sort()),
          }
          return service
        }),
        () => Effect.sync(() => endpoints.delete(peerId)),
      )

    const network: InMemoryNetwork = {
      endpoint,
      partition: (gs) => {
        groups = new Map()
        gs.forEach((g, i) => g.forEach((p) => groups?.set(p, i)))
      },
      heal: () => {
        groups = undefined
      },
      setFaults: (f) => {
        faults = { ...faults, ...f }
      },
      intercept: (fn) => {
        interceptor = fn
      },
      attached: () => [...endpoints.keys()].sort(),
      stats: () => ({ ...stats }),
    }
    return network
  })
