// Serves the admin app with Bun.serve for the lifetime of the layer. Port 0 picks a free port;
// the bound address is read back so embedders and tests can reach it.
import { Context, Data, Effect, Layer } from "effect"
import { adminApp, type AdminAppOptions } from "./app.ts"
import type { AdminBackend } from "./backend.ts"

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

export const AdminServerLive = (listen: AdminListen, options: AdminAppOptions): Layer.Layer<AdminServer, AdminListenFailed, AdminBackend> =>
  Layer.scoped(
    AdminServer,
    Effect.gen(function* () {
      const app = yield* adminApp(options)
      const server = yield* Effect.acquireRelease(
        Effect.try({
          try: () =>
            Bun.serve({
              hostname: listen.hostname,
              port: listen.port,
              fetch: app.fetch,
              // Headroom above the app's own limit, which answers with a 413 problem document.
              maxRequestBodySize: Math.max(options.maxBodyBytes * 2, 1 << 20),
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
      const host = hostname.includes(":") ? `[${hostname}]` : hostname
      const url = `http://${host}:${port}`
      yield* Effect.logInfo("admin API listening").pipe(Effect.annotateLogs({ url }))
      return { hostname, port, url }
    }),
  )
