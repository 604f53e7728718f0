// A token bucket for the mutating routes (restart a worker, change the log level, submit a bundle):
// a script gone wrong or a leaked token cannot make the node restart workers in a loop. It runs
// after the token check, so unauthenticated requests never drain it. One bucket for the node: the
// admin API has one operator, not tenants.
import type { MiddlewareHandler } from "hono"
import { isReadMethod } from "./access.ts"
import { problemResponse, ProblemType } from "./problem.ts"

export interface RateLimitOptions {
  /** Sustained rate of mutating requests. */
  readonly perMinute: number
  /** Requests allowed at once from a full bucket. */
  readonly burst: number
  /** Milliseconds since some fixed point (tests pass their own clock). */
  readonly now?: () => number
}

export const rateLimitMutations = (options: RateLimitOptions): MiddlewareHandler => {
  const now = options.now ?? (() => performance.now())
  const perMs = options.perMinute / 60_000
  let tokens = options.burst
  let last = now()
  return async (c, next) => {
    if (isReadMethod(c.req.method)) return next()
    const t = now()
    tokens = Math.min(options.burst, tokens + (t - last) * perMs)
    last = t
    if (tokens >= 1) {
      tokens -= 1
      return next()
    }
    const retryAfterS = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000))
    return problemResponse(
      429,
      ProblemType.rateLimited,
      "Too Many Requests",
      `more than ${options.perMinute} state-changing requests per minute (burst ${options.burst}); retry in ${retryAfterS} s`,
      undefined,
      { "retry-after": String(retryAfterS) },
    )
  }
}
