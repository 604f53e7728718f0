// The node's own lifecycle operations (runtime/node/prover-ops.ts) over a fake consensus and fake workers,
// the route that serves them (POST /v1/provers/lifecycle), and the lifecycle pool the node proposes from.
import { sha3_256 } from "@noble/hashes/sha3.js"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either, Runtime } from "effect"
import { LifecycleRequestPool } from "../../../../actors/consensus/global/lifecycle-pool.ts"
import { encodeLifecycleRequest, lifecycleOpsOf, MAX_LIFECYCLE_REQUESTS } from "../../../../actors/consensus/global/lifecycle-requests.ts"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import {
  DOMAIN_NAMES,
  decodeLifecycleOp,
  joinProofIds,
  lifecycleDomain,
  PROVER_JOIN,
  PROVER_PAUSE,
  proverJoinSignedBytes,
  signedBytes,
} from "../../../../intrinsics/global/index.ts"
import { makeAdminApp } from "../../../../runtime/api/app.ts"
import { ConsensusUnavailable, type GlobalFrameView, LifecycleRefused, type SubmitLifecycleBody } from "../../../../runtime/api/backend.ts"
import type { NodeConsensusService } from "../../../../runtime/node/consensus.ts"
import { makeSubmitLifecycle } from "../../../../runtime/node/prover-ops.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "../../../../runtime/testing/index.ts"
import { stubBackend } from "../api/stub-backend.ts"

const poseidon = poseidonHashBytes
const signer = makeInsecureTestSigner(new Uint8Array(32).fill(3), poseidon)
const SHARD = new Uint8Array(32).fill(0x5a)
const OUTPUT = new Uint8Array(516).fill(0xab)

const frameAt = (n: number): GlobalFrameView => ({
  frameNumber: n,
  rank: n + 1,
  timestamp: 1,
  difficulty: 100,
  selector: "",
  parentSelector: "",
  output: bytesToHex(OUTPUT),
  prover: "",
  proverTreeCommitment: "",
  requestsRoot: "",
  globalCommitments: [],
  signature: null,
  requests: [],
  shardUpdates: [],
  quorumCertificate: { rank: n + 1, frameNumber: n, selector: "", timestamp: 1 },
})

interface Seen {
  checked: Array<{ operation: Uint8Array; frameNumber: bigint }>
  submitted: Array<Uint8Array>
  proofs: Array<{ challenge: Uint8Array; difficulty: number; ids: ReadonlyArray<Uint8Array> }>
}

const fakes = (options: { head?: number; refusal?: string; withLifecycle?: boolean } = {}) => {
  const seen: Seen = { checked: [], submitted: [], proofs: [] }
  const head = options.head ?? 12
  const consensus: NodeConsensusService = {
    head: Effect.succeed({ frameNumber: head, rank: head + 1, selector: "00".repeat(32), timestamp: 1 }),
    frame: (n) => (n === BigInt(head) ? Effect.succeed(frameAt(head)) : Effect.fail(new ConsensusUnavailable({ reason: "no such frame" }))),
    peers: Effect.succeed([]),
    committee: [],
    rankWorkMs: undefined,
    ...(options.withLifecycle === false
      ? {}
      : {
          lifecycle: {
            signer,
            poseidon,
            check: (operation, frameNumber) =>
              Effect.sync(() => {
                seen.checked.push({ operation, frameNumber })
                return { refusal: options.refusal ?? null, appliedThrough: BigInt(head) }
              }),
            submit: (request) =>
              Effect.sync(() => {
                seen.submitted.push(request)
                return "added" as const
              }),
          },
        }),
  }
  const hosts = {
    joinProof: (challenge: Uint8Array, difficulty: number, ids: ReadonlyArray<Uint8Array>) =>
      Effect.sync(() => {
        seen.proofs.push({ challenge, difficulty, ids })
        return new Uint8Array(516 * ids.length).fill(0x99)
      }),
  }
  return { seen, submit: makeSubmitLifecycle(consensus, hosts) }
}

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(Effect.either(effect))

describe("the node's own lifecycle operations", () => {
  test("join: the workers prove against SHA3-256 of the head frame's output, the op is signed by the node's key, checked at head+1, then pooled", async () => {
    const { seen, submit } = fakes()
    const r = await run(submit({ operation: "join", filters: [`0x${bytesToHex(SHARD)}`] }))
    expect(Either.isRight(r)).toBe(true)
    expect(seen.proofs).toHaveLength(1)
    expect(bytesToHex(seen.proofs[0]?.challenge ?? new Uint8Array())).toBe(bytesToHex(sha3_256(OUTPUT)))
    expect(seen.proofs[0]?.difficulty).toBe(100)
    expect(seen.proofs[0]?.ids.map(bytesToHex)).toEqual(joinProofIds(signer.address, [SHARD]).map(bytesToHex))
    expect(seen.checked[0]?.frameNumber).toBe(13n)
    const [request] = seen.submitted
    const [op] = lifecycleOpsOf([request ?? new Uint8Array()])
    expect(bytesToHex(op ?? new Uint8Array())).toBe(bytesToHex(seen.checked[0]?.operation ?? new Uint8Array()))
    const decoded = decodeLifecycleOp(op ?? new Uint8Array())
    if (Either.isLeft(decoded) || decoded.right._tag !== "ProverJoin") throw new Error("not a join")
    const join = decoded.right
    expect(join.frameNumber).toBe(12n)
    expect(join.filters.map(bytesToHex)).toEqual([bytesToHex(SHARD)])
    expect(join.proof).toEqual(new Uint8Array(516).fill(0x99))
    const sig = join.signature
    if (sig === undefined) throw new Error("unsigned")
    expect(bytesToHex(sig.publicKey)).toBe(bytesToHex(signer.publicKey))
    const domain = lifecycleDomain({ poseidon }, DOMAIN_NAMES[PROVER_JOIN])
    expect(await Effect.runPromise(insecureTestBlsVerifier.verify(signer.publicKey, sig.signature, proverJoinSignedBytes(join), domain))).toBe(true)
    if (Either.isRight(r)) {
      expect(r.right.address).toBe(bytesToHex(signer.address))
      expect(r.right.id).toBe(bytesToHex(sha3_256(request ?? new Uint8Array())))
    }
  })

  test("pause: signed over its filter and frame, no worker asked", async () => {
    const { seen, submit } = fakes()
    expect(Either.isRight(await run(submit({ operation: "pause", filters: [bytesToHex(SHARD)] })))).toBe(true)
    expect(seen.proofs).toEqual([])
    const decoded = decodeLifecycleOp(seen.checked[0]?.operation ?? new Uint8Array())
    if (Either.isLeft(decoded) || decoded.right._tag !== "ProverPause") throw new Error("not a pause")
    const domain = lifecycleDomain({ poseidon }, DOMAIN_NAMES[PROVER_PAUSE])
    const ok = await Effect.runPromise(insecureTestBlsVerifier.verify(signer.publicKey, decoded.right.signature.signature, signedBytes(decoded.right), domain))
    expect(ok).toBe(true)
  })

  test("the registry's refusal is returned with its reason and nothing is submitted", async () => {
    const { seen, submit } = fakes({ refusal: "join at 3 is not confirmable at 5" })
    const r = await run(submit({ operation: "confirm", filters: [bytesToHex(SHARD)] }))
    expect(Either.isLeft(r) && r.left._tag === "LifecycleRefused" && r.left.reason).toBe("join at 3 is not confirmable at 5")
    expect(seen.submitted).toEqual([])
  })

  test("malformed bodies are LifecycleInvalid before anything is built; no consensus or no frame is LifecycleUnavailable", async () => {
    const cases: ReadonlyArray<[SubmitLifecycleBody, string]> = [
      [{ operation: "join" }, "needs at least one filter"],
      [{ operation: "pause", filters: [bytesToHex(SHARD), "66".repeat(32)] }, "exactly one filter"],
      [{ operation: "leave", filters: ["zz"] }, "is not hex"],
      [{ operation: "leave", filters: ["12"] }, "32–64"],
      [{ operation: "confirm", filters: [bytesToHex(SHARD), `0x${bytesToHex(SHARD)}`] }, "named twice"],
      [{ operation: "delegate" }, "needs a delegate"],
      [{ operation: "delegate", delegate: "12" }, "not an address"],
      [{ operation: "resume", filters: [bytesToHex(SHARD)], delegate: "11".repeat(32) }, "takes no delegate"],
    ]
    for (const [body, detail] of cases) {
      const { seen, submit } = fakes()
      const r = await run(submit(body))
      expect(Either.isLeft(r) && r.left._tag === "LifecycleInvalid" && r.left.detail).toContain(detail)
      expect(seen.checked).toEqual([])
    }
    const none = await run(fakes({ withLifecycle: false }).submit({ operation: "leave", filters: [bytesToHex(SHARD)] }))
    expect(Either.isLeft(none) && none.left._tag).toBe("LifecycleUnavailable")
    const genesis = await run(fakes({ head: 0 }).submit({ operation: "join", filters: [bytesToHex(SHARD)] }))
    expect(Either.isLeft(genesis) && genesis.left._tag).toBe("LifecycleUnavailable")
  })
})

describe("POST /v1/provers/lifecycle", () => {
  const options = { token: "t", maxBodyBytes: 4096, version: "0.1.0" }
  const auth = { authorization: "Bearer t", "content-type": "application/json" }
  const submitted = { operation: "leave" as const, address: "aa".repeat(32), frameNumber: 9, id: "bb".repeat(32), status: "pending" as const }
  const app = makeAdminApp(
    stubBackend({
      submitLifecycle: (body) =>
        body.operation === "confirm" ? Effect.fail(new LifecycleRefused({ reason: "too early", appliedThrough: 8n })) : Effect.succeed(submitted),
    }).backend,
    Runtime.defaultRuntime,
    options,
  )
  const post = (body: unknown, headers: Record<string, string> = auth) =>
    app.request("/v1/provers/lifecycle", { method: "POST", headers, body: JSON.stringify(body) })

  test("202 with the submission; 409 with the registry's reason; 400 for an unknown operation; 401 without the token; 503 without consensus", async () => {
    const ok = await post({ operation: "leave", filters: ["11".repeat(32)] })
    expect(ok.status).toBe(202)
    expect(await ok.json()).toEqual(submitted)
    const refused = await post({ operation: "confirm", filters: ["11".repeat(32)] })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toMatchObject({ type: "urn:quilbun:problem:lifecycle-refused", reason: "too early", appliedThrough: 8 })
    expect((await post({ operation: "kick" })).status).toBe(400)
    expect((await post({ operation: "leave" }, { "content-type": "application/json" })).status).toBe(401)
    const bare = makeAdminApp(stubBackend().backend, Runtime.defaultRuntime, options)
    expect((await bare.request("/v1/provers/lifecycle", { method: "POST", headers: auth, body: JSON.stringify({ operation: "leave" }) })).status).toBe(503)
  })

  test("the OpenAPI document lists it with its body and answer schemas", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>
      components: { schemas: Record<string, unknown> }
    }
    expect(Object.keys(doc.paths["/v1/provers/lifecycle"] ?? {})).toEqual(["post"])
    expect(doc.components.schemas["SubmitLifecycle"]).toBeDefined()
    expect(doc.components.schemas["LifecycleSubmitted"]).toBeDefined()
  })
})

describe("the lifecycle pool", () => {
  const request = (n: number) => encodeLifecycleRequest(hexToBytes(`0000030${(n % 8) + 1}`), BigInt(n + 1))

  test("arrival order, duplicates, a bound per frame, forgotten once carried or too old", () => {
    const pool = new LifecycleRequestPool(3, 5n)
    expect([pool.add(request(0), 10n), pool.add(request(0), 10n), pool.add(request(1), 11n), pool.add(request(2), 12n), pool.add(request(3), 12n)]).toEqual([
      "added",
      "duplicate",
      "added",
      "added",
      "full",
    ])
    expect(pool.pending().map(bytesToHex)).toEqual([0, 1, 2].map((n) => bytesToHex(request(n))))
    pool.committed(13n, [request(1)])
    expect(pool.pending().map(bytesToHex)).toEqual([0, 2].map((n) => bytesToHex(request(n))))
    // Frame 16: the request from frame 10 is 6 frames old (> 5), the one from 12 stays.
    pool.committed(16n, [])
    expect(pool.pending().map(bytesToHex)).toEqual([bytesToHex(request(2))])
    const big = new LifecycleRequestPool()
    for (let i = 0; i < MAX_LIFECYCLE_REQUESTS + 5; i++) big.add(encodeLifecycleRequest(Uint8Array.of(0, 0, 3, 1, i & 0xff, i >> 8), 1n), 0n)
    expect(big.pending()).toHaveLength(MAX_LIFECYCLE_REQUESTS)
  })
})
