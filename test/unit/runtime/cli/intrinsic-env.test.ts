// An intrinsic's CLI commands call the node through cliEnvFor: the data dir's token goes with reads
// too (a non-loopback node wants it), and an error reply is shown without its escape sequences.
import { afterAll, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cliEnvFor } from "../../../../runtime/cli/intrinsic-env.ts"
import { apiUrlPath } from "../../../../runtime/node/api-address-file.ts"

const ESC = "\u001b"
let seenAuth: string | null = null
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req) => {
    seenAuth = req.headers.get("authorization")
    return new URL(req.url).pathname.endsWith("/ok")
      ? Response.json({ fine: true })
      : new Response(JSON.stringify({ type: "x", title: "t", status: 500, detail: `boom${ESC}[2J\nsecond line` }), {
          status: 500,
          headers: { "content-type": "application/problem+json" },
        })
  },
})
const dataDir = mkdtempSync(join(tmpdir(), "quilbun-cli-env-"))
const previous = process.env.QUILBUN_DATA_DIR
afterAll(() => {
  void server.stop(true)
  rmSync(dataDir, { recursive: true, force: true })
  if (previous === undefined) delete process.env.QUILBUN_DATA_DIR
  else process.env.QUILBUN_DATA_DIR = previous
})

test("reads carry the token; an error detail is one printable line", async () => {
  writeFileSync(join(dataDir, "api.token"), `${"c".repeat(64)}\n`)
  writeFileSync(apiUrlPath(dataDir), `http://127.0.0.1:${server.port}\n`)
  process.env.QUILBUN_DATA_DIR = dataDir
  const api = cliEnvFor("kv").api
  expect(await Effect.runPromise(api.get("/ok"))).toEqual({ fine: true })
  expect(seenAuth).toBe(`Bearer ${"c".repeat(64)}`)
  const failed = await Effect.runPromise(Effect.either(api.get("/broken")))
  expect(Either.isLeft(failed)).toBe(true)
  if (Either.isLeft(failed)) {
    expect(failed.left.reason).toEndWith("HTTP 500: boom second line")
    expect(failed.left.reason).not.toContain(ESC)
  }
})
