// The VDF solver Worker: runs one solve at a time off the main event loop, natively (Rust, polling
// quil_vdf_cancel) or with the TypeScript reference (polling a shared cancel slot).
import { Either, Schema } from "effect"
import { Status } from "../status.ts"
import { loadNativeVdf } from "./native.ts"
import { WorkerRequest, WorkerResponse, type SolveRequest } from "./protocol.ts"
import { SolveStopped, solve, solveMulti } from "./wesolowski.ts"

declare const self: Worker

let cancelSlot: Int32Array | undefined
const encodeResponse = Schema.encodeSync(WorkerResponse)
const reply = (response: WorkerResponse): void => self.postMessage(encodeResponse(response))

const solveNative = (req: SolveRequest): WorkerResponse => {
  const native = loadNativeVdf()
  if ("unavailable" in native) return { _tag: "SolveFailed", solveId: req.solveId, kind: "internal", reason: native.unavailable }
  const result =
    req.multi === undefined
      ? native.solve(req.challenge, req.iterations, req.solveId)
      : native.solveMulti(req.challenge, req.iterations, req.multi.ids, req.multi.index, req.solveId)
  switch (result.status) {
    case Status.Ok:
      return { _tag: "Solved", solveId: req.solveId, output: result.output }
    case Status.Cancelled:
      return { _tag: "SolveFailed", solveId: req.solveId, kind: "cancelled", reason: "cancelled" }
    case Status.Length:
    case Status.Encoding:
      return { _tag: "SolveFailed", solveId: req.solveId, kind: "input", reason: `native status ${result.status}` }
    default:
      return { _tag: "SolveFailed", solveId: req.solveId, kind: "internal", reason: `native status ${result.status}` }
  }
}

const solveTypeScript = (req: SolveRequest): WorkerResponse => {
  const slot = cancelSlot
  const shouldStop = () => slot !== undefined && Atomics.load(slot, 0) === req.solveId
  try {
    const output =
      req.multi === undefined
        ? solve(req.challenge, req.iterations, shouldStop)
        : solveMulti(req.challenge, req.iterations, req.multi.ids, req.multi.index, shouldStop)
    return { _tag: "Solved", solveId: req.solveId, output }
  } catch (e) {
    if (e instanceof SolveStopped) return { _tag: "SolveFailed", solveId: req.solveId, kind: "cancelled", reason: "cancelled" }
    const reason = e instanceof Error ? e.message : String(e)
    return { _tag: "SolveFailed", solveId: req.solveId, kind: e instanceof RangeError ? "input" : "internal", reason }
  }
}

self.onmessage = (event: MessageEvent) => {
  const decoded = Schema.decodeUnknownEither(WorkerRequest)(event.data)
  if (Either.isLeft(decoded)) return
  const req = decoded.right
  if (req._tag === "Init") {
    cancelSlot = new Int32Array(req.cancelFlag)
    return
  }
  reply(req.engine === "native" ? solveNative(req) : solveTypeScript(req))
}
