// Walks a running admin API's /openapi.json and sends every operation malformed, oversized and
// unauthenticated requests over a real socket. Whatever the route, the answer must be a 4xx with a
// problem document (or, for a request that is allowed, anything below 500), never a 500, an empty
// error body or a hang. Returns the violations, one line each (empty: all good).

export interface WalkOptions {
  readonly url: string
  readonly token: string
  readonly maxBodyBytes: number
  /** The listener is not loopback: every route but /health must refuse a request without the token. */
  readonly readsNeedToken: boolean
  /** A 429 counts as a refusal (a node whose rate limit the walk may reach). */
  readonly allowRateLimit?: boolean
  readonly perRequestMs?: number
}

interface OpenApiDoc {
  readonly paths: Record<
    string,
    Record<string, { readonly security?: ReadonlyArray<unknown>; readonly requestBody?: unknown; readonly tags?: ReadonlyArray<string> }>
  >
}

/** Path parameters no route may accept: not canonical numbers, not ids, control and bidi characters, huge. */
const BAD_PARAMS = ["01", "1.0", "+1", "-1", "1e3", "0x1", "x", "%00", "%1b%5b31m", "%E2%80%AE", "..%2f..", "9".repeat(40), "a".repeat(300)]

const isProblem = async (res: Response): Promise<string | undefined> => {
  if (res.headers.get("content-type") !== "application/problem+json") return `content-type ${res.headers.get("content-type")}`
  const text = await res.text()
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    if (body.status !== res.status || typeof body.title !== "string" || typeof body.detail !== "string" || typeof body.type !== "string") {
      return `not a problem document: ${text.slice(0, 120)}`
    }
    return undefined
  } catch {
    return `body is not JSON: ${JSON.stringify(text.slice(0, 120))}`
  }
}

type Expect = "refused" | "answered" | { readonly status: number }

export const walkOpenApi = async (options: WalkOptions): Promise<ReadonlyArray<string>> => {
  const violations: Array<string> = []
  const doc = (await (await fetch(`${options.url}/openapi.json`, { headers: { authorization: `Bearer ${options.token}` } })).json()) as OpenApiDoc
  const auth = { authorization: `Bearer ${options.token}` }
  const perRequestMs = options.perRequestMs ?? 5_000
  const send = async (what: string, path: string, init: RequestInit, expect: Expect): Promise<void> => {
    let res: Response
    try {
      res = await fetch(`${options.url}${path}`, { ...init, signal: AbortSignal.timeout(perRequestMs) })
    } catch (e) {
      violations.push(`${what} ${init.method} ${path}: no answer (${e instanceof Error ? e.name : String(e)})`)
      return
    }
    const label = `${what} ${init.method} ${path.slice(0, 80)}: ${res.status}`
    if (res.status >= 500) violations.push(`${label} (server error)`)
    else if (typeof expect === "object" && res.status !== expect.status && !(options.allowRateLimit === true && res.status === 429)) {
      violations.push(`${label}, expected ${expect.status}`)
    } else if (expect === "refused" && (res.status < 400 || res.status >= 500)) violations.push(`${label}, expected a 4xx`)
    if (res.status >= 400) {
      const bad = await isProblem(res)
      if (bad !== undefined) violations.push(`${label}: ${bad}`)
    } else await res.arrayBuffer()
  }

  for (const [template, ops] of Object.entries(doc.paths)) {
    const hasParams = template.includes("{")
    const concrete = hasParams ? BAD_PARAMS.map((p) => template.replace(/\{\w+\}/g, p)) : [`${template}?%zz=%&a[]=1&${"q".repeat(200)}=1`]
    const wellFormed = template.replace(/\{\w+\}/g, "1")
    for (const [lower, op] of Object.entries(ops)) {
      const method = lower.toUpperCase()
      const read = method === "GET" || method === "HEAD"
      const contributed = template.startsWith("/v1/intrinsics/")
      const secured = (op.security?.length ?? 0) > 0 || (options.readsNeedToken && template !== "/health")
      // Unauthenticated and wrongly authenticated: a secured route refuses with 401 before anything else.
      for (const [what, headers] of [
        ["no token", {}],
        ["wrong token", { authorization: "Bearer not-the-token" }],
        ["other scheme", { authorization: "Basic dXNlcjpwYXNz" }],
        ["empty bearer", { authorization: "Bearer " }],
      ] as const) {
        await send(what, wellFormed, { method, headers }, secured ? { status: 401 } : "answered")
      }
      // Malformed paths (authenticated): the built-in routes refuse them; an intrinsic's own routes may accept any segment.
      for (const path of concrete) await send("malformed", path, { method, headers: auth }, hasParams && !contributed ? "refused" : "answered")
      if (read) continue
      const json = { ...auth, "content-type": "application/json" }
      if (op.requestBody !== undefined) {
        await send("malformed body", wellFormed, { method, headers: json, body: "{not json" }, "refused")
        await send("wrong-shaped body", wellFormed, { method, headers: json, body: JSON.stringify({ level: 7, bundle: [1], extra: "\u001b[31m" }) }, "refused")
      }
      // Just over the limit, and far over it (beyond any slack the HTTP server itself allows).
      for (const size of [options.maxBodyBytes + 1, Math.max(options.maxBodyBytes * 4, 8 << 20)]) {
        await send(`oversized ${size} B (Content-Length)`, wellFormed, { method, headers: json, body: new Uint8Array(size).fill(0x20) }, { status: 413 })
      }
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let sent = 0; sent <= options.maxBodyBytes; sent += 4096) controller.enqueue(new Uint8Array(4096).fill(0x20))
          controller.close()
        },
      })
      // A route that reads no body never sees a streamed one end: it is sent to a malformed path then.
      const target = op.requestBody !== undefined ? wellFormed : (concrete[0] ?? wellFormed)
      await send("oversized (chunked)", target, { method, headers: json, body: stream }, op.requestBody !== undefined ? { status: 413 } : "refused")
    }
  }
  return violations
}
