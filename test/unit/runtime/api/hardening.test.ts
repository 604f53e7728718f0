// The admin API's guards over a real Bun.serve socket: the token rule (loopback and not), the rate
// limit on state-changing routes, the request timeout, body limits with problem documents, one rule
// for numbers in paths, HTTP/1.0 without Host, and the OpenAPI walk (openapi-walk.ts).
import { describe, expect, test } from "bun:test"
import { Effect, Exit, Layer, Logger, Scope } from "effect"
import { Hono } from "hono"
import { connect } from "node:net"
import { tokensEqual } from "../../../../runtime/api/access.ts"
import { AdminBackend, type AdminBackendService } from "../../../../runtime/api/backend.ts"
import { isLoopbackHost } from "../../../../runtime/api/loopback.ts"
import { AdminServer, AdminServerLive } from "../../../../runtime/api/server.ts"
import { walkOpenApi } from "./openapi-walk.ts"
import { stubBackend } from "./stub-backend.ts"

const TOKEN = "a".repeat(64)
const MAX_BODY = 4096
const auth = { authorization: `Bearer ${TOKEN}` }

interface Served {
  readonly url: string
  readonly port: number
  readonly logs: ReadonlyArray<string>
  readonly calls: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

const serve = async (
  hostname: string,
  options: { readonly mutationsPerMinute?: number; readonly requestTimeoutMs?: number } = {},
  overrides: Partial<AdminBackendService> = {},
): Promise<Served> => {
  const { backend, calls } = stubBackend(overrides)
  const logs: Array<string> = []
  const logger = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => void logs.push(`${logLevel.label} ${String(message)}`)),
  )
  const scope = Effect.runSync(Scope.make())
  const layer = AdminServerLive({ hostname, port: 0 }, { token: TOKEN, maxBodyBytes: MAX_BODY, version: "0.0.0-test", ...options }).pipe(
    Layer.provide(Layer.succeed(AdminBackend, backend)),
    Layer.provide(logger),
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope).pipe(Effect.provide(logger)))
  const server = Effect.runSync(Effect.provide(AdminServer, context))
  // a wildcard bind is reached over loopback
  const url = `http://127.0.0.1:${server.port}`
  return { url, port: server.port, logs, calls, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

const expectProblem = async (res: Response, status: number): Promise<Record<string, unknown>> => {
  expect(res.status).toBe(status)
  expect(res.headers.get("content-type")).toBe("application/problem+json")
  const body = (await res.json()) as Record<string, unknown>
  expect(body.status).toBe(status)
  return body
}

/** One raw HTTP exchange (what fetch cannot send: HTTP/1.0 without Host, huge headers). */
const raw = (port: number, request: string): Promise<string> =>
  new Promise((resolve) => {
    let data = ""
    const socket = connect(port, "127.0.0.1", () => socket.write(request))
    socket.on("data", (b) => (data += b.toString()))
    socket.on("close", () => resolve(data))
    socket.on("error", () => resolve(data))
    setTimeout(() => {
      socket.destroy()
      resolve(data)
    }, 2_000)
  })

describe("admin API hardening", () => {
  test("tokens compare in constant time whatever their lengths", () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true)
    expect(tokensEqual(TOKEN.slice(1), TOKEN)).toBe(false)
    expect(tokensEqual(`${TOKEN}a`, TOKEN)).toBe(false)
    expect(tokensEqual("", TOKEN)).toBe(false)
  })

  test("loopback addresses", () => {
    for (const h of ["127.0.0.1", "127.9.9.9", "localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) expect(isLoopbackHost(h)).toBe(true)
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.5", "example.com", "::2", "1::1", "::ffff:10.0.0.1"]) expect(isLoopbackHost(h)).toBe(false)
  })

  test("on loopback reads are open; on 0.0.0.0 a warning is logged and everything but /health needs the token", async () => {
    const local = await serve("127.0.0.1")
    try {
      expect((await fetch(`${local.url}/v1/node`)).status).toBe(200)
      expect(local.logs.filter((l) => l.startsWith("WARN"))).toEqual([])
    } finally {
      await local.close()
    }
    const open = await serve("0.0.0.0")
    try {
      expect(open.logs.filter((l) => l.startsWith("WARN") && l.includes("0.0.0.0, which is not loopback"))).toHaveLength(1)
      expect((await fetch(`${open.url}/health`)).status).toBe(200)
      for (const path of ["/ready", "/v1/node", "/v1/actors", "/v1/workers", "/metrics", "/openapi.json", "/v1/frames/global/0", "/nope"]) {
        await expectProblem(await fetch(`${open.url}${path}`), 401)
        await expectProblem(await fetch(`${open.url}${path}`, { headers: { authorization: "Bearer wrong" } }), 401)
      }
      expect((await fetch(`${open.url}/v1/node`, { headers: auth })).status).toBe(200)
      expect((await fetch(`${open.url}/metrics`, { headers: auth })).status).toBe(200)
    } finally {
      await open.close()
    }
  })

  test("state-changing routes are rate-limited: 429 problem with Retry-After; reads and unauthenticated requests do not count", async () => {
    const s = await serve("127.0.0.1", { mutationsPerMinute: 30 }) // burst 3, then one per 2 s
    try {
      for (let i = 0; i < 5; i++) await expectProblem(await fetch(`${s.url}/v1/workers/1/restart`, { method: "POST" }), 401)
      for (let i = 0; i < 5; i++) expect((await fetch(`${s.url}/v1/workers`)).status).toBe(200)
      for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/v1/workers/1/restart`, { method: "POST", headers: auth })).status).toBe(202)
      const limited = await fetch(`${s.url}/v1/workers/1/restart`, { method: "POST", headers: auth })
      const body = await expectProblem(limited, 429)
      expect(body.type).toBe("urn:quilbun:problem:rate-limited")
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(s.calls).toEqual(["restart 1", "restart 1", "restart 1"])
    } finally {
      await s.close()
    }
  })

  test("a backend that never answers: 503 problem at the request timeout, not a hung connection; an intrinsic's hung route too", async () => {
    let interrupted = false
    const stuck = new Hono().get("/stuck", () => new Promise<Response>(() => {}))
    const s = await serve(
      "127.0.0.1",
      { requestTimeoutMs: 300 },
      {
        workers: Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true)))),
        intrinsicRoutes: { queries: [], mounts: [{ intrinsic: "slow", app: stuck }] },
      },
    )
    try {
      for (const path of ["/v1/workers", "/v1/intrinsics/slow/stuck"]) {
        // The client would abort at 5 s; the 503 says the server gave up at its own 300 ms first.
        const body = await expectProblem(await fetch(`${s.url}${path}`, { signal: AbortSignal.timeout(5_000) }), 503)
        expect(body.type).toBe("urn:quilbun:problem:timeout")
        expect(body.detail).toContain("within 300 ms")
      }
      // the backend effect was interrupted, not left running for a request nobody waits for
      expect(interrupted).toBe(true)
    } finally {
      await s.close()
    }
  })

  test("bodies over the limit get a 413 problem, with Content-Length or streamed", async () => {
    const s = await serve("127.0.0.1")
    try {
      const json = { ...auth, "content-type": "application/json" }
      await expectProblem(await fetch(`${s.url}/v1/bundles`, { method: "POST", headers: json, body: new Uint8Array(10_000_000) }), 413)
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(2048).fill(0x20))
          c.close()
        },
      })
      await expectProblem(await fetch(`${s.url}/v1/log-level`, { method: "POST", headers: json, body: stream }), 413)
      expect(s.calls).toEqual([])
    } finally {
      await s.close()
    }
  })

  test("one number rule in paths: canonical decimal only", async () => {
    const s = await serve("127.0.0.1")
    try {
      for (const bad of ["01", "1.0", "+1", "1e0", "0x1", " 1", "1%20", "0", "1025"]) {
        await expectProblem(await fetch(`${s.url}/v1/workers/${bad}/restart`, { method: "POST", headers: auth }), 400)
      }
      for (const bad of ["01", "1.0", "+1", "1e0", "00"]) await expectProblem(await fetch(`${s.url}/v1/frames/global/${bad}`), 400)
      expect((await fetch(`${s.url}/v1/frames/global/0`)).status).toBe(200)
      expect(s.calls).toEqual([])
    } finally {
      await s.close()
    }
  })

  test("HTTP/1.0 without Host is routed by its path", async () => {
    const s = await serve("127.0.0.1")
    try {
      expect(await raw(s.port, "GET /health HTTP/1.0\r\n\r\n")).toContain('{"status":"ok"}')
      const missing = await raw(s.port, "GET /nothing HTTP/1.0\r\n\r\n")
      expect(missing).toContain("404")
      expect(missing).toContain("no route for GET /nothing")
      const post = await raw(s.port, `POST /v1/log-level HTTP/1.0\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 17\r\n\r\n{"level":"debug"}`)
      expect(post).toContain('{"level":"debug"}')
      expect(s.calls).toEqual(["log-level debug"])
    } finally {
      await s.close()
    }
  })

  for (const hostname of ["127.0.0.1", "0.0.0.0"]) {
    test(`walking /openapi.json (bind ${hostname}): malformed, oversized, unauthenticated requests get 4xx problems, never a 500 or a hang`, async () => {
      const s = await serve(hostname, { mutationsPerMinute: 100_000 })
      try {
        expect(await walkOpenApi({ url: s.url, token: TOKEN, maxBodyBytes: MAX_BODY, readsNeedToken: hostname === "0.0.0.0" })).toEqual([])
        expect(s.calls).toEqual([])
      } finally {
        await s.close()
      }
    }, 30_000)
  }
})
