// `<dataDir>/admin-api.url`: the admin API's bound URL, written once the server listens and
// removed when it stops. The CLI reads it, which matters when the configured port is 0.
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { AdminServer } from "../api/server.ts"

const API_URL_FILE = "admin-api.url"

export const apiUrlPath = (dataDir: string): string => join(dataDir, API_URL_FILE)

export const ApiAddressFileLive = (dataDir: string): Layer.Layer<never, never, AdminServer> =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const server = yield* AdminServer
      const path = apiUrlPath(dataDir)
      yield* Effect.acquireRelease(
        Effect.sync(() => writeFileSync(path, `${server.url}\n`, { mode: 0o600 })),
        () => Effect.sync(() => rmSync(path, { force: true })),
      )
    }),
  )
