// The consensus Transport (runtime/kernel/transport/transport.ts) over the node's libp2p host: publish and
// subscribe go through the bitmask pubsub (validators run before delivery and forwarding), and
// request/response runs on its own libp2p stream per request (rpc-frame.ts), with limits on both
// sides: request and response size, a per-peer token bucket on the serving side, a time limit for
// the handler and for the whole exchange on the client. Peer identity is the libp2p peer id string,
// the same string the consensus sees in `InboundMessage.from` and passes back to `request`.
import { bytesToHex } from "@noble/hashes/utils.js"
import type { Connection, PeerId, Stream } from "@libp2p/interface"
import { peerIdFromString } from "@libp2p/peer-id"
import { type LengthPrefixedStream, lpStream } from "@libp2p/utils"
import { Cause, Duration, Effect, Either, Exit, Layer, Option, Runtime, type Scope } from "effect"
import { type Bitmask, type MessageHandler, type RequestHandler, Transport, TransportError, type TransportService } from "../kernel/transport/transport.ts"
import type { Verdict } from "./bitmask-pubsub.ts"
import { describeError, RequestFailed, type RequestFailureReason } from "./errors.ts"
import { P2PHost, type P2PHostService } from "./host.ts"
import { countTransportMessage, countTransportRequest } from "./metrics.ts"
import { requestProtocolId } from "./protocol-ids.ts"
import { decodeResponse, encodeErrorResponse, encodeOkResponse, ResponseStatus } from "./rpc-frame.ts"
import { PeerTokenBuckets, type TokenBucketConfig } from "./token-bucket.ts"

/** Checks a request before its handler runs; a string is the reason to refuse it (bad-request). */
export type RequestGuard = (data: Uint8Array) => string | undefined

/** Decides a message's fate before delivery (and before the router forwards it). */
type PayloadValidator = (payload: Uint8Array) => Verdict

interface BitmaskValidator {
  readonly bitmask: Bitmask
  readonly validate: PayloadValidator
}

export interface Libp2pTransportConfig {
  /** largest request body accepted or sent */
  readonly maxRequestBytes: number
  /** largest response body accepted or sent */
  readonly maxResponseBytes: number
  /** whole exchange on the client: dial, request, response */
  readonly requestTimeoutMillis: number
  /** server side: reading the request plus running the handler */
  readonly serveTimeoutMillis: number
  /** inbound requests per peer (all protocols together) */
  readonly inboundRate: TokenBucketConfig
  /** concurrent inbound streams per protocol and connection (libp2p refuses more) */
  readonly maxInboundStreamsPerConnection: number
  /** validators by bitmask: every subscription to that exact bitmask gets it */
  readonly validators: ReadonlyArray<BitmaskValidator>
  /** request guards by transport protocol name */
  readonly guards: ReadonlyMap<string, RequestGuard>
}

/**
 * Defaults. 64 MiB responses is the Rust node's sync message cap (node.md §4.6, "a DoS amplifier"
 * above that); 30 s is the sync request timeout of the archive poller. A burst of 16 requests and
 * 8/s per peer leaves a catching-up node (one request in flight at a time) far below the limit.
 */
export const defaultLibp2pTransportConfig: Libp2pTransportConfig = {
  maxRequestBytes: 64 * 1024,
  maxResponseBytes: 64 * 1024 * 1024,
  requestTimeoutMillis: 30_000,
  serveTimeoutMillis: 10_000,
  inboundRate: { capacity: 16, refillPerSecond: 8, maxPeers: 1_024 },
  maxInboundStreamsPerConnection: 8,
  validators: [],
  guards: new Map(),
}

interface Libp2pTransportStats {
  published: number
  publishFailures: number
  delivered: number
  /** messages a validator rejected (malformed or invalid) */
  rejected: number
  ignored: number
  requestsSent: number
  requestsFailed: number
  requestsServed: number
  refusedRateLimited: number
  refusedTooLarge: number
  refusedBadRequest: number
  refusedNoHandler: number
  serveTimeouts: number
  handlerErrors: number
}

export interface Libp2pTransport extends TransportService {
  /** `request` with the precise failure reason (the Transport interface narrows it to TransportError). */
  readonly requestTyped: (peer: string, protocol: string, data: Uint8Array) => Effect.Effect<Uint8Array, RequestFailed>
  readonly stats: () => Readonly<Libp2pTransportStats>
}

/** The Transport's coarser reasons; the precise one stays at the start of the detail. */
const toTransportError = (error: RequestFailed): TransportError => {
  const coarse: TransportError["reason"] =
    error.reason === "unreachable" || error.reason === "timeout" || error.reason === "no-handler" || error.reason === "closed" ? error.reason : "remote-error"
  return new TransportError({ reason: coarse, detail: `${error.reason}: ${error.detail}` })
}

// Raised inside the exchange so the client can tell a dial failure from a broken exchange.
class ExchangeFailure extends Error {
  constructor(
    readonly reason: RequestFailureReason,
    detail: string,
  ) {
    super(detail)
  }
}

const refusalReason = (status: Exclude<ResponseStatus, 0>): RequestFailureReason => {
  switch (status) {
    case ResponseStatus.noHandler:
      return "no-handler"
    case ResponseStatus.requestTooLarge:
      return "request-too-large"
    case ResponseStatus.rateLimited:
      return "rate-limited"
    case ResponseStatus.badRequest:
      return "bad-request"
    case ResponseStatus.timeout:
      return "timeout"
    case ResponseStatus.responseTooLarge:
      return "response-too-large"
    case ResponseStatus.handlerError:
      return "remote-error"
  }
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : "")

export const makeLibp2pTransport = (
  host: P2PHostService,
  config: Libp2pTransportConfig = defaultLibp2pTransportConfig,
): Effect.Effect<Libp2pTransport, never, Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    const libp2p = host.libp2p
    const buckets = new PeerTokenBuckets(config.inboundRate)
    const handlers = new Map<string, RequestHandler>()
    const validators = new Map(config.validators.map((v) => [bytesToHex(v.bitmask), v.validate]))
    const stats: Libp2pTransportStats = {
      published: 0,
      publishFailures: 0,
      delivered: 0,
      rejected: 0,
      ignored: 0,
      requestsSent: 0,
      requestsFailed: 0,
      requestsServed: 0,
      refusedRateLimited: 0,
      refusedTooLarge: 0,
      refusedBadRequest: 0,
      refusedNoHandler: 0,
      serveTimeouts: 0,
      handlerErrors: 0,
    }

    // ---- publish / subscribe -------------------------------------------------------------------

    const publish = (bitmask: Bitmask, data: Uint8Array): Effect.Effect<void> =>
      host.pubsub.publish(bitmask, data).pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            stats.published++
            countTransportMessage("published")
          }),
        ),
        // Best effort, as the interface promises: a failed publish is counted and logged, not raised.
        Effect.catchAll((error) =>
          Effect.sync(() => {
            stats.publishFailures++
            countTransportMessage("publish-failed")
          }).pipe(Effect.zipRight(Effect.logDebug(`p2p transport: publish on ${bytesToHex(bitmask)} failed: ${error._tag}`))),
        ),
        Effect.asVoid,
      )

    const subscribe = (bitmask: Bitmask, handler: MessageHandler): Effect.Effect<void, never, Scope.Scope> => {
      const validate = validators.get(bytesToHex(bitmask))
      return Effect.acquireRelease(
        host.pubsub
          .subscribe(bitmask, {
            onMessage: (message) => {
              stats.delivered++
              countTransportMessage("delivered")
              handler({ from: message.from, bitmask: message.bitmask, data: message.payload })
            },
            ...(validate === undefined
              ? {}
              : {
                  validate: (message) => {
                    const verdict = validate(message.payload)
                    if (verdict === "reject") {
                      stats.rejected++
                      countTransportMessage("rejected")
                    } else if (verdict === "ignore") {
                      stats.ignored++
                      countTransportMessage("ignored")
                    }
                    return verdict
                  },
                }),
          })
          // An invalid bitmask is a programming error of the subscriber (the consensus's constants).
          .pipe(Effect.orDie),
        (unsubscribe) => unsubscribe,
      ).pipe(Effect.asVoid)
    }

    // ---- request / response: client ----------------------------------------------------------

    const exchange = async (remote: PeerId, protocol: string, data: Uint8Array, signal: AbortSignal): Promise<Uint8Array> => {
      let stream: Stream
      try {
        stream = await libp2p.dialProtocol(remote, requestProtocolId(host.networkId, protocol), { signal })
      } catch (error) {
        if (errorName(error) === "UnsupportedProtocolError") throw new ExchangeFailure("no-handler", describeError(error))
        throw new ExchangeFailure("unreachable", describeError(error))
      }
      const onAbort = (): void => stream.abort(new Error("request cancelled"))
      signal.addEventListener("abort", onAbort, { once: true })
      try {
        const lp = lpStream(stream, { maxDataLength: config.maxResponseBytes + 1 })
        await lp.write(data, { signal })
        const frame = (await lp.read({ signal })).subarray()
        await stream.close({ signal })
        return frame
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)))
        if (errorName(error) === "InvalidDataLengthError") {
          throw new ExchangeFailure("response-too-large", `response exceeds ${config.maxResponseBytes} bytes`)
        }
        throw new ExchangeFailure("closed", describeError(error))
      } finally {
        signal.removeEventListener("abort", onAbort)
      }
    }

    const requestTyped = (peer: string, protocol: string, data: Uint8Array): Effect.Effect<Uint8Array, RequestFailed> => {
      const fail = (reason: RequestFailureReason, detail: string) => new RequestFailed({ peer, protocol, reason, detail })
      return Effect.gen(function* () {
        stats.requestsSent++
        if (data.length > config.maxRequestBytes) {
          return yield* fail("request-too-large", `${data.length} bytes exceeds ${config.maxRequestBytes}`)
        }
        if (peer === host.peerId) {
          // As in-memory: a node can ask itself, without a stream (and without the peer limits).
          const own = handlers.get(protocol)
          if (own === undefined) return yield* fail("no-handler", `${protocol} is not served`)
          return yield* own(peer, data).pipe(Effect.mapError((e) => fail("remote-error", `${e.reason}: ${e.detail}`)))
        }
        const remote = yield* Effect.try({
          try: () => peerIdFromString(peer),
          catch: (error) => fail("unreachable", `not a peer id: ${describeError(error)}`),
        })
        const frame = yield* Effect.tryPromise({
          try: (signal) => exchange(remote, protocol, data, signal),
          catch: (error) => (error instanceof ExchangeFailure ? fail(error.reason, error.message) : fail("closed", describeError(error))),
        }).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(config.requestTimeoutMillis),
            onTimeout: () => fail("timeout", `no response within ${config.requestTimeoutMillis} ms`),
          }),
        )
        const decoded = decodeResponse(frame)
        if (Either.isLeft(decoded)) return yield* fail("malformed-response", decoded.left)
        const response = decoded.right
        if (response._tag === "Refused") return yield* fail(refusalReason(response.status), response.detail)
        if (response.body.length > config.maxResponseBytes) {
          return yield* fail("response-too-large", `${response.body.length} bytes exceeds ${config.maxResponseBytes}`)
        }
        return response.body
      }).pipe(
        Effect.tapBoth({
          onFailure: (error) =>
            Effect.sync(() => {
              stats.requestsFailed++
              countTransportRequest("client", error.reason)
            }),
          onSuccess: () => Effect.sync(() => countTransportRequest("client", "ok")),
        }),
      )
    }

    // ---- request / response: server ----------------------------------------------------------

    const refuse = (outcome: string, status: Exclude<ResponseStatus, 0>, detail: string): Uint8Array => {
      countTransportRequest("server", outcome)
      return encodeErrorResponse(status, detail)
    }

    /** Reads one request and produces the response frame; never throws for the peer's mistakes. */
    const answer = async (protocol: string, remote: string, lp: LengthPrefixedStream<Stream>, signal: AbortSignal): Promise<Uint8Array> => {
      if (!buckets.tryTake(remote)) {
        stats.refusedRateLimited++
        return refuse("rate-limited", ResponseStatus.rateLimited, "too many requests")
      }
      let request: Uint8Array
      try {
        request = (await lp.read({ signal })).subarray()
      } catch (error) {
        if (errorName(error) !== "InvalidDataLengthError") throw error
        stats.refusedTooLarge++
        return refuse("request-too-large", ResponseStatus.requestTooLarge, `request exceeds ${config.maxRequestBytes} bytes`)
      }
      const handler = handlers.get(protocol)
      if (handler === undefined) {
        stats.refusedNoHandler++
        return refuse("no-handler", ResponseStatus.noHandler, `${protocol} is not served`)
      }
      const problem = config.guards.get(protocol)?.(request)
      if (problem !== undefined) {
        stats.refusedBadRequest++
        return refuse("bad-request", ResponseStatus.badRequest, problem)
      }
      const timedOut = new Error("serve timeout")
      const exit = await Runtime.runPromiseExit(runtime)(
        handler(remote, request).pipe(Effect.timeoutFail({ duration: Duration.millis(config.serveTimeoutMillis), onTimeout: () => timedOut })),
        { signal },
      )
      if (Exit.isFailure(exit)) {
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure) && failure.value === timedOut) {
          stats.serveTimeouts++
          return refuse("timeout", ResponseStatus.timeout, `handler took longer than ${config.serveTimeoutMillis} ms`)
        }
        stats.handlerErrors++
        const detail = Option.isSome(failure) && failure.value instanceof TransportError ? `${failure.value.reason}: ${failure.value.detail}` : "handler failed"
        return refuse("handler-error", ResponseStatus.handlerError, detail)
      }
      if (exit.value.length > config.maxResponseBytes) {
        stats.handlerErrors++
        return refuse("response-too-large", ResponseStatus.responseTooLarge, `response exceeds ${config.maxResponseBytes} bytes`)
      }
      stats.requestsServed++
      countTransportRequest("server", "ok")
      return encodeOkResponse(exit.value)
    }

    const serveStream = async (protocol: string, stream: Stream, connection: Connection): Promise<void> => {
      // One signal bounds the whole exchange, including a peer that never sends its request.
      const signal = AbortSignal.timeout(config.serveTimeoutMillis + 1_000)
      try {
        const lp = lpStream(stream, { maxDataLength: config.maxRequestBytes })
        const frame = await answer(protocol, connection.remotePeer.toString(), lp, signal)
        await lp.write(frame, { signal })
        await stream.close({ signal })
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)))
      }
    }

    const serve = (protocol: string, handler: RequestHandler): Effect.Effect<void, never, Scope.Scope> => {
      const id = requestProtocolId(host.networkId, protocol)
      return Effect.acquireRelease(
        Effect.promise(async () => {
          handlers.set(protocol, handler)
          await libp2p.handle(
            id,
            (stream, connection) => {
              void serveStream(protocol, stream, connection)
            },
            { maxInboundStreams: config.maxInboundStreamsPerConnection, force: true },
          )
        }),
        () =>
          // Effect.ignore alone would let a rejection through as a defect of the release.
          Effect.tryPromise(async () => {
            handlers.delete(protocol)
            await libp2p.unhandle(id)
          }).pipe(Effect.catchAll((error) => Effect.logDebug(`unhandle ${id} at stop: ${describeError(error.error)}`))),
      )
    }

    const transport: Libp2pTransport = {
      peerId: host.peerId,
      publish,
      subscribe,
      request: (peer, protocol, data) => Effect.mapError(requestTyped(peer, protocol, data), toTransportError),
      requestTyped,
      serve,
      peers: Effect.sync(() => [...new Set(libp2p.getPeers().map(String))].filter((p) => p !== host.peerId).sort()),
      stats: () => ({ ...stats }),
    }
    return transport
  })

/** The Transport service over the P2PHost of the same context. */
export const Libp2pTransportLive = (config: Libp2pTransportConfig = defaultLibp2pTransportConfig): Layer.Layer<Transport, never, P2PHost> =>
  Layer.scoped(
    Transport,
    Effect.flatMap(P2PHost, (host) => makeLibp2pTransport(host, config)),
  )
