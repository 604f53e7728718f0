// RFC 9457 problem documents: every error the admin API returns is application/problem+json
// with type, title, status and detail.
const PROBLEM_CONTENT_TYPE = "application/problem+json"

export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly [extension: string]: unknown
}

/** Problem type URIs; about:blank where the HTTP status says it all (RFC 9457 §4.2.1). */
export const ProblemType = {
  blank: "about:blank",
  invalidJson: "urn:quilbun:problem:invalid-json",
  invalidRequest: "urn:quilbun:problem:invalid-request",
  unauthorized: "urn:quilbun:problem:unauthorized",
  bodyTooLarge: "urn:quilbun:problem:body-too-large",
  /** Too many state-changing requests (Retry-After says when to come back). */
  rateLimited: "urn:quilbun:problem:rate-limited",
  /** The handler did not finish within the request timeout. */
  timeout: "urn:quilbun:problem:timeout",
  workerNotFound: "urn:quilbun:problem:worker-not-found",
  notReady: "urn:quilbun:problem:not-ready",
  unhealthy: "urn:quilbun:problem:unhealthy",
  frameNotFound: "urn:quilbun:problem:frame-not-found",
  /** `GET /v1/provers/{address}`: no prover with that address (or no registry on this node). */
  proverNotFound: "urn:quilbun:problem:prover-not-found",
  consensusUnavailable: "urn:quilbun:problem:consensus-unavailable",
  /** An intrinsic query's own answers: its arguments, a missing atom, an unknown query, a failure, no worker. */
  queryBadRequest: "urn:quilbun:problem:query-bad-request",
  queryNotFound: "urn:quilbun:problem:query-not-found",
  unknownQuery: "urn:quilbun:problem:unknown-query",
  queryFailed: "urn:quilbun:problem:query-failed",
  queryUnavailable: "urn:quilbun:problem:query-unavailable",
  /** `POST /v1/bundles`: the bundle does not route (malformed, unroutable, unknown op type, ...). */
  bundleInvalid: "urn:quilbun:problem:bundle-invalid",
  /** The shard's mempool is full (Retry-After says when to come back). */
  mempoolFull: "urn:quilbun:problem:mempool-full",
  shardUnavailable: "urn:quilbun:problem:shard-unavailable",
  /** `POST /v1/provers/lifecycle`: the operation is malformed for this node (filters, delegate). */
  lifecycleInvalid: "urn:quilbun:problem:lifecycle-invalid",
  /** The prover registry would refuse the operation at the next frame (`reason` says why). */
  lifecycleRefused: "urn:quilbun:problem:lifecycle-refused",
  /** It cannot be built or pooled now (no committed frame, no worker for the join proof, pool full). */
  lifecycleUnavailable: "urn:quilbun:problem:lifecycle-unavailable",
  internal: "urn:quilbun:problem:internal",
} as const

export const problemResponse = (
  status: number,
  type: string,
  title: string,
  detail: string,
  extra?: Readonly<Record<string, unknown>>,
  headers?: Readonly<Record<string, string>>,
): Response =>
  new Response(JSON.stringify({ type, title, status, detail, ...extra } satisfies Problem), {
    status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, ...headers },
  })
