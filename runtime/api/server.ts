// Serves the admin app with Bun.serve for the lifetime of the layer. Port 0 picks a free port;
// the bound address is read back so embedders and tests can reach it. A bind that is not loopback
// is warned about and makes every route but /health need the token (access.ts).
import { Context, Data, Effect, Layer } from "effect"
import { adminApp, DEFAULT_REQUEST_TIMEOUT_MS, type AdminAppOptions } from "./app.ts"
import type { AdminBackend } from "./backend.ts"
import { isLoopbackHost } from "./loopback.ts"

export interface AdminListen {
  readonly hostname: string
  readonly port: number
}

/** Bun.serve refused to listen (port in use, bad address). */
export class AdminListenFailed extends Data.TaggedError("AdminListenFailed")<{
  readonly hostname: string
  readonly port: number
  readonly reason: string
}> {
  override get message(): string {
    return `admin API cannot listen on ${this.hostname}:${this.port}: ${this.reason}`
  }
}

export class AdminServer extends Context.Tag("quilbun/AdminServer")<
  AdminServer,
  { readonly hostname: string; readonly port: number; readonly url: string }
>() {}

/**
 * An HTTP/1.0 request without a Host header reaches the app with a bare path as its URL, which
 * Hono's router misreads (`/health` became `h`); such a request is given the listener's address.
 */
const withAbsoluteUrl = (req: Request, base: string): Request => (req.url.startsWith("/") ? new Request(`${base}${req.url}`, req) : req)

/**
 * Bun drops the connection of an idle client after this long (slow or stalled senders); above the
 * request timeout, so a slow handler is answered by the app's 503, not cut off.
 */
const idleTimeoutSeconds = (requestTimeoutMs: number): number => Math.min(255, Math.ceil(requestTimeoutMs / 1000) + 10)

export const AdminServerLive = (listen: AdminListen, options: AdminAppOptions): Layer.Layer<AdminServer, AdminListenFailed, AdminBackend> =>
  Layer.scoped(
    AdminServer,
    Effect.gen(function* () {
      const loopback = isLoopbackHost(listen.hostname)
      const app = yield* adminApp({ ...options, readsNeedToken: options.readsNeedToken === true || !loopback })
      const host = listen.hostname.includes(":") ? `[${listen.hostname}]` : listen.hostname
      let base = `http://${host}:${listen.port}`
      const server = yield* Effect.acquireRelease(
        Effect.try({
          try: () =>
            Bun.serve({
              hostname: listen.hostname,
              port: listen.port,
              fetch: (req, srv) => app.fetch(withAbsoluteUrl(req, base), srv),
              // Bun's own limit answers with an empty 413 before the app sees the request; the app's
              // limit (hono bodyLimit: Content-Length first, then counting a streamed body) answers
              // with a problem document, so Bun's is only a last resort far above it.
              maxRequestBodySize: Number.MAX_SAFE_INTEGER,
              idleTimeout: idleTimeoutSeconds(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
            }),
          catch: (e) =>
            new AdminListenFailed({
              hostname: listen.hostname,
              port: listen.port,
              reason: e instanceof Error ? e.message : String(e),
            }),
        }),
        (s) => Effect.promise(() => s.stop(true)).pipe(Effect.zipRight(Effect.logInfo("admin API stopped"))),
      )
      const port = server.port ?? listen.port
      const hostname = listen.hostname
      const url = `http://${host}:${port}`
      base = url
      yield* Effect.logInfo("admin API listening").pipe(Effect.annotateLogs({ url }))
      if (!loopback) {
        yield* Effect.logWarning(
          `admin API is bound to ${hostname}, which is not loopback: other hosts can reach it, so every route but /health now needs ` +
            "Authorization: Bearer <api.token>; bind 127.0.0.1 (--api-listen 127.0.0.1:<port>) unless other hosts must reach it, and put TLS in front if they do",
        ).pipe(Effect.annotateLogs({ url }))
      }
      return { hostname, port, url }
    }),
  )
