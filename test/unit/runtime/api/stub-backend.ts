// An in-memory AdminBackendService for API tests: fixed answers, and a record of what was called.
import { Effect } from "effect"
import { FrameNotFound, WorkerNotFound, type AdminBackendService, type GlobalFrameView } from "../../../../runtime/api/backend.ts"

const HEAD = 7n

const frameStub = (n: bigint): GlobalFrameView => ({
  frameNumber: Number(n),
  rank: Number(n) + 1,
  timestamp: 1_700_000_000_000 + Number(n),
  difficulty: 100,
  selector: n.toString(16).padStart(64, "0"),
  parentSelector: "00".repeat(32),
  output: "ab".repeat(516),
  prover: "cd".repeat(32),
  proverTreeCommitment: "",
  requestsRoot: "",
  globalCommitments: [],
  signature: null,
  requests: [],
  shardUpdates: [],
  quorumCertificate: { rank: Number(n) + 1, frameNumber: Number(n), selector: n.toString(16).padStart(64, "0"), timestamp: 1 },
})

export const stubBackend = (overrides: Partial<AdminBackendService> = {}) => {
  const calls: Array<string> = []
  const backend: AdminBackendService = {
    nodeInfo: Effect.succeed({ version: "0.1.0", nodeId: "abc", uptimeMs: 5, roles: ["master"], pid: 1, config: { workers: 1 } }),
    ready: Effect.succeed({ ready: true, reasons: [] }),
    actors: Effect.succeed({ name: "root", children: [] }),
    workers: Effect.succeed([{ core: 1, pid: 42, state: "running", restarts: 0, uptimeMs: 10, shards: [] }]),
    restartWorker: (core) => (core === 1 ? Effect.sync(() => void calls.push(`restart ${core}`)) : Effect.fail(new WorkerNotFound({ core }))),
    setLogLevel: (level) => Effect.sync(() => void calls.push(`log-level ${level}`)),
    metrics: Effect.succeed("# HELP x_total x\n# TYPE x_total counter\nx_total 1\n"),
    globalHead: Effect.succeed({ frameNumber: Number(HEAD), rank: 8, selector: "07".padStart(64, "0"), timestamp: 1 }),
    globalFrame: (n) => (n <= HEAD ? Effect.succeed(frameStub(n)) : Effect.fail(new FrameNotFound({ frameNumber: n, head: HEAD }))),
    submitBundle: (bundle) =>
      Effect.sync(() => {
        calls.push(`bundle ${bundle.length}`)
        return { id: "00".repeat(32), shard: "11".repeat(32), status: "pending" as const }
      }),
    ...overrides,
  }
  return { backend, calls }
}
