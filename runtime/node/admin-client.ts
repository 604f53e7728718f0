// Finding and calling a running node's admin API from outside (CLI): the base URL comes from
// `--api`, else `<dataDir>/admin-api.url` (written by the running node), else the configured
// `api.listen`; the token from `<dataDir>/api.token`.
import { existsSync, readFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { join, resolve } from "node:path"
import { Effect, Either } from "effect"
import { DEFAULT_DATA_DIR, formatConfigError, KEY_FILES, loadConfig } from "../../config/index.ts"
import { apiUrlPath } from "./api-address-file.ts"

export interface AdminTarget {
  readonly url: string
  readonly token: string | undefined
}

export const resolveAdminTarget = (opts: { readonly api?: string | undefined; readonly dataDir?: string | undefined }): Either.Either<AdminTarget, string> => {
  const dataDir = resolve(opts.dataDir ?? process.env.QUILBUN_DATA_DIR ?? DEFAULT_DATA_DIR)
  const tokenPath = join(dataDir, KEY_FILES.apiToken)
  const token = existsSync(tokenPath) ? readFileSync(tokenPath, "utf8").trim() : undefined
  if (opts.api !== undefined) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(opts.api)) return Either.left(`--api: expected http://host:port, got ${opts.api}`)
    return Either.right({ url: opts.api.replace(/\/$/, ""), token })
  }
  const urlFile = apiUrlPath(dataDir)
  if (existsSync(urlFile)) return Either.right({ url: readFileSync(urlFile, "utf8").trim(), token })
  const config = Effect.runSync(
    Effect.either(loadConfig({ argv: ["--data-dir", dataDir], env: process.env, cores: availableParallelism(), cwd: process.cwd() })),
  )
  if (Either.isLeft(config)) return Either.left(formatConfigError(config.left))
  const { host, port } = config.right.api.listen
  return Either.right({ url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, token })
}
