// Who may call what. Mutating methods always need the bearer token; reads need it too when the
// listener is reachable from other hosts (a non-loopback bind), except /health, which a load
// balancer or service manager probes without credentials.
import { createHash, timingSafeEqual } from "node:crypto"
import type { MiddlewareHandler } from "hono"
import { problemResponse, ProblemType } from "./problem.ts"

const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"])

export const isReadMethod = (method: string): boolean => READ_METHODS.has(method)

/** The only route that stays open on a non-loopback listener. */
const OPEN_ON_ANY_BIND: ReadonlySet<string> = new Set(["/health"])

/**
 * Constant time in the contents and the length: both sides are hashed to 32 bytes first, so a
 * wrong guess of any length takes as long as a right one.
 */
export const tokensEqual = (given: string, expected: string): boolean =>
  timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest())

const unauthorized = (detail: string) =>
  problemResponse(401, ProblemType.unauthorized, "Unauthorized", detail, undefined, {
    "www-authenticate": 'Bearer realm="quilbun"',
  })

export interface AccessOptions {
  readonly token: string
  /** The listener is not loopback-only: reads need the token too. */
  readonly readsNeedToken: boolean
}

export const requireToken =
  (options: AccessOptions): MiddlewareHandler =>
  async (c, next) => {
    if (isReadMethod(c.req.method) && (!options.readsNeedToken || OPEN_ON_ANY_BIND.has(c.req.path))) return next()
    const header = c.req.header("authorization")
    if (header === undefined) return unauthorized("missing Authorization: Bearer <token>")
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (match === null || !tokensEqual(match[1] ?? "", options.token)) return unauthorized("invalid bearer token")
    return next()
  }
