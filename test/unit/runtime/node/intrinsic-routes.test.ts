// The node's side of the intrinsic routes: which worker answers queries, and how a contributed
// sub-app's HttpEnv reaches the backend (query failures and submit rejections as the contract's errors).
import { describe, expect, test } from "bun:test"
import { Effect, Either, Runtime } from "effect"
import { Hono } from "hono"
import type { WorkerEntry } from "../../../../actors/worker-manager/index.ts"
import type { HttpEnv, Intrinsic } from "../../../../intrinsics/contract/index.ts"
import { hypergraphIntrinsic } from "../../../../intrinsics/hypergraph/index.ts"
import { BundleInvalid, IntrinsicQueryFailed, QueryUnavailable } from "../../../../runtime/api/backend.ts"
import { intrinsicRoutesOf, pickQueryWorker, queryShard } from "../../../../runtime/node/admin-backend.ts"

const worker = (core: number, state: WorkerEntry["state"]): WorkerEntry => ({ core, pid: core, state, restarts: 0, uptimeMs: 1 })

describe("intrinsic routes (node)", () => {
  test("queries go to the first running worker, none when no worker runs", () => {
    expect(pickQueryWorker([worker(1, "restarting"), worker(2, "running"), worker(3, "running")])?.core).toBe(2)
    expect(pickQueryWorker([worker(1, "starting"), worker(2, "failed")])).toBeUndefined()
    // The worker covering the queried shard, when it runs; else the first running one.
    expect(pickQueryWorker([worker(1, "running"), worker(2, "running")], 2)?.core).toBe(2)
    expect(pickQueryWorker([worker(1, "running"), worker(2, "restarting")], 2)?.core).toBe(1)
    expect(queryShard({ id: `${"ab".repeat(32)}${"01".repeat(32)}` })).toEqual(new Uint8Array(32).fill(0xab))
    expect(queryShard({ address: `0x${"cd".repeat(33)}` })).toEqual(new Uint8Array(32).fill(0xcd))
    expect(queryShard({ id: "zz" })).toBeUndefined()
    expect(queryShard(undefined)).toBeUndefined()
    expect(pickQueryWorker([])).toBeUndefined()
  })

  test("every query becomes a route; an http contribution gets an env bound to the node", async () => {
    let env: HttpEnv | undefined
    const withHttp: Intrinsic = {
      ...hypergraphIntrinsic,
      http: (e) => {
        env = e
        return new Hono()
      },
    }
    const failures: Record<string, IntrinsicQueryFailed | QueryUnavailable> = {
      absent: new IntrinsicQueryFailed({ kind: "not-found", reason: "no vertex" }),
      other: new IntrinsicQueryFailed({ kind: "unknown-intrinsic", reason: "no intrinsic" }),
      broken: new IntrinsicQueryFailed({ kind: "failed", reason: "failed" }),
      down: new QueryUnavailable({ reason: "no worker" }),
    }
    const routes = intrinsicRoutesOf(
      [withHttp],
      (_intrinsic, name, args) => {
        const failure = failures[name]
        return failure === undefined ? Effect.succeed({ name, args }) : Effect.fail(failure)
      },
      (bundle) =>
        bundle[0] === 1
          ? Effect.fail(new BundleInvalid({ reason: "malformed", detail: "too short" }))
          : bundle[0] === 2
            ? Effect.succeed({ id: "aa", shard: "bb", status: "rejected" as const, reason: "no data worker covers shard bb" })
            : Effect.succeed({ id: "aa", shard: "bb", status: "pending" as const }),
      Runtime.defaultRuntime,
    )
    expect(routes.queries.map((q) => `${q.intrinsic}/${q.name}`)).toEqual(["hypergraph/vertex", "hypergraph/hyperedge", "hypergraph/shard-info"])
    expect(routes.mounts.map((m) => m.intrinsic)).toEqual(["hypergraph"])
    if (env === undefined) throw new Error("the contribution was not called")
    expect(await env.query("vertex", { id: "ab" })).toEqual(Either.right({ name: "vertex", args: { id: "ab" } }))
    const kinds = await Promise.all(
      ["absent", "other", "broken", "down"].map(async (name) => {
        const r = await env?.query(name, {})
        return r !== undefined && Either.isLeft(r) ? `${r.left._tag}:${r.left.kind}` : "right"
      }),
    )
    expect(kinds).toEqual(["QueryError:not-found", "QueryError:unknown-query", "QueryUnavailable:failed", "QueryUnavailable:unavailable"])
    const reasonOf = async (first: number) => {
      const r = await env?.submitBundle(new Uint8Array([first]))
      return r !== undefined && Either.isLeft(r) ? `${r.left._tag}: ${r.left.reason}` : "accepted"
    }
    expect(await reasonOf(1)).toBe("SubmitRejected: malformed: too short")
    expect(await reasonOf(2)).toBe("SubmitRejected: no data worker covers shard bb")
    expect(await reasonOf(3)).toBe("accepted")
    expect(typeof env.build.blsSign).toBe("function")
  })
})
