// A backstop for handlers that do not finish (a backend effect waiting on a stuck actor, an
// intrinsic's own route): the client gets a 503 problem after `ms` instead of a hung connection.
// The backend effects are also interrupted at the same deadline (app.ts `respond`), so nothing
// keeps running for a request nobody waits for.
import type { MiddlewareHandler } from "hono"
import { problemResponse, ProblemType } from "./problem.ts"

export const timedOutResponse = (ms: number): Response =>
  problemResponse(503, ProblemType.timeout, "Request Timeout", `the node did not answer within ${ms} ms; see the node log`, undefined, {
    "retry-after": "1",
  })

/** Answers 503 (naming `reportedMs`, the configured timeout) once `ms` have passed without a response. */
export const requestTimeout =
  (ms: number, reportedMs = ms): MiddlewareHandler =>
  async (_c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<"expired">((resolve) => {
      timer = setTimeout(() => resolve("expired"), ms)
    })
    try {
      const outcome = await Promise.race([next().then(() => "done" as const), expired])
      if (outcome === "expired") return timedOutResponse(reportedMs)
    } finally {
      clearTimeout(timer)
    }
  }
