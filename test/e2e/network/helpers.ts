// Shared helpers for the p2p tests: loopback hosts with fast gossip and fast reconnects.
import { randomBytes } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { defaultHostConfig, defaultPubsubTuning, makeP2PHost, type P2PHostConfig, type P2PHostService } from "../../../runtime/network/host.ts"

export const TEST_NETWORK = 99

export interface RunningHost {
  readonly host: P2PHostService
  readonly close: () => Promise<void>
}

export const testHostConfig = (overrides: Partial<P2PHostConfig> = {}): P2PHostConfig => {
  const base = defaultHostConfig(new Uint8Array(randomBytes(32)), TEST_NETWORK)
  return {
    ...base,
    // libp2p's heartbeat defaults to ~1 s; the first delivery waits for a heartbeat or floodPublish
    pubsub: { ...defaultPubsubTuning, heartbeatIntervalMillis: 100 },
    reconnect: { initialDelayMillis: 50, maxDelayMillis: 200, checkIntervalMillis: 50, maxKnownPeers: 8 },
    ...overrides,
  }
}

export const startHost = async (overrides: Partial<P2PHostConfig> = {}): Promise<RunningHost> => {
  const scope = Effect.runSync(Scope.make())
  const host = await Effect.runPromise(makeP2PHost(testHostConfig(overrides)).pipe(Scope.extend(scope)))
  return { host, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** Polls `check` (which may be async) until it returns true or `timeoutMillis` passes. */
export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMillis = 3000, what = "condition"): Promise<void> => {
  const deadline = Date.now() + timeoutMillis
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(10)
  }
}

/** Bytes with a recognisable pattern, so corruption would show. */
export const patternBytes = (length: number, seed = 1): Uint8Array => {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}
