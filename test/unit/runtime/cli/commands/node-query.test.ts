// `bun run cli node info|workers|actors|status` against careless or hostile replies: a non-JSON or
// wrongly shaped body is one error line (no stack trace, no `NaNhNaNm`), and escape sequences in a
// reply never reach the terminal.
import { afterAll, describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { humanLines } from "../../../../../runtime/cli/commands/node/output.ts"
import { queryNode, type NodeView } from "../../../../../runtime/cli/commands/node/query.ts"
import { decodeReply } from "../../../../../runtime/cli/commands/node/replies.ts"

const ESC = "\u001b"
const hostile = `${ESC}[2J${ESC}]0;pwned${ESC}\\evil\rover\nline`

let reply: { status: number; body: string; type: string } = { status: 200, body: "", type: "application/json" }
let seenAuth: string | null = null
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req) => {
    seenAuth = req.headers.get("authorization")
    return new Response(reply.body, { status: reply.status, headers: { "content-type": reply.type } })
  },
})
afterAll(() => void server.stop(true))
const url = `http://127.0.0.1:${server.port}`

/** Runs the command against the fake node; Left is the error line it would print. */
const run = (view: NodeView, json = false) => Effect.runPromise(Effect.either(queryNode({ view, json, api: url, dataDir: "/nonexistent-quilbun-test" })))

const output: Array<string> = []
const realWrite = process.stdout.write.bind(process.stdout)
const capture = async <A>(f: () => Promise<A>): Promise<A> => {
  output.length = 0
  process.stdout.write = ((chunk: string | Uint8Array) => {
    output.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk))
    return true
  }) as typeof process.stdout.write
  try {
    return await f()
  } finally {
    process.stdout.write = realWrite
  }
}

describe("cli node: careless replies", () => {
  test("a non-JSON reply is one error line naming the URL; nothing printed", async () => {
    reply = { status: 200, body: "<html><body>It works!</body></html>", type: "text/html" }
    for (const view of ["info", "workers", "actors", "status"] as const) {
      const r = await capture(() => run(view))
      expect(Either.isLeft(r)).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left._tag).toBe("CommandFailed")
        expect(r.left.reason).toStartWith(`${url}/v1/`)
        expect(r.left.reason).toContain("the reply is not JSON")
        expect(r.left.reason).not.toContain("\n")
      }
      expect(output).toEqual([])
    }
  })

  test("a wrongly shaped reply names the field, never prints NaN", async () => {
    reply = { status: 200, body: JSON.stringify({ nodeId: "x", version: "1", roles: [], pid: 1, config: {} }), type: "application/json" }
    const r = await capture(() => run("info"))
    expect(Either.isLeft(r) && r.left.reason).toContain("the reply is not a node info at uptimeMs")
    expect(output.join("")).not.toContain("NaN")
    reply = { status: 200, body: JSON.stringify([{ core: "1" }]), type: "application/json" }
    const w = await capture(() => run("workers"))
    expect(Either.isLeft(w) && w.left.reason).toContain("the reply is not a worker list at 0.core")
  })

  test("escape sequences in a reply are stripped from human output and escaped in --json", async () => {
    const info = { nodeId: hostile, version: hostile, uptimeMs: 3_600_000, roles: [hostile], pid: 7, config: { workers: 2 } }
    reply = { status: 200, body: JSON.stringify(info), type: "application/json" }
    const r = await capture(() => run("info"))
    expect(Either.isRight(r)).toBe(true)
    const text = output.join("")
    expect(text).not.toContain(ESC)
    expect(text).not.toContain("\r")
    expect(text.split("\n").filter((l) => l !== "")).toHaveLength(7)
    expect(text).toContain("uptime:   1h0m")
    await capture(() => run("info", true))
    expect(output.join("")).not.toContain(ESC)
    expect((JSON.parse(output.join("")) as { nodeId: string }).nodeId).toBe(hostile)
  })

  test("an error status shows the problem's detail, made printable", async () => {
    reply = {
      status: 401,
      body: JSON.stringify({ type: "x", title: "Unauthorized", status: 401, detail: `missing token${ESC}[31m` }),
      type: "application/problem+json",
    }
    const r = await capture(() => run("workers"))
    expect(Either.isLeft(r) && r.left.reason).toBe(`${url}/v1/workers: HTTP 401: missing token`)
    reply = { status: 502, body: `Bad Gateway\n${ESC}[5m`, type: "text/plain" }
    const g = await capture(() => run("status"))
    expect(Either.isLeft(g) && g.left.reason).toBe(`${url}/v1/status: HTTP 502: Bad Gateway`)
  })

  test("the actor tree decodes and prints without escapes", () => {
    const tree = {
      name: "root",
      type: "supervisor",
      status: "running",
      children: [{ name: `w${ESC}[1m`, type: "process", state: "running", pid: 3, children: [] }],
    }
    const decoded = decodeReply("actors", JSON.stringify(tree))
    expect(Either.isRight(decoded)).toBe(true)
    if (Either.isRight(decoded)) expect(humanLines(decoded.right, url)).toEqual(["root (supervisor, running)", "└─ w (process, running, pid=3)"])
  })
})

test("the token from the data dir is sent (a non-loopback node wants it for reads)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-cli-token-"))
  try {
    writeFileSync(join(dir, "api.token"), `${"b".repeat(64)}\n`)
    reply = { status: 200, body: JSON.stringify({ line: "status head=1" }), type: "application/json" }
    await capture(() => Effect.runPromise(Effect.either(queryNode({ view: "status", json: false, api: url, dataDir: dir }))))
    expect(seenAuth).toBe(`Bearer ${"b".repeat(64)}`)
    expect(output.join("")).toBe("status head=1\n")
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
