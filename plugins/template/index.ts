// The template plugin (README.md): its manifest and builders around the logic in template.ts. The
// default export is what the node loads from `plugins: [./plugins/template]`.
import * as Effect from "effect/Effect"
import type { Builder, Intrinsic, Manifest } from "../../intrinsics/contract/index.ts"
import { pluginCli } from "./cli.ts"
import { BASE_DOMAIN, DEFAULT_DOMAIN, NOTE, noteOp, PLUGIN_NAME, queries } from "./template.ts"

export const manifest: Manifest = {
  name: PLUGIN_NAME,
  version: "0.1.0",
  baseDomain: BASE_DOMAIN,
  // Only the fixed default instance: no deploy step, no write key (a demo).
  derivation: { _tag: "FixedOnly" },
  fixedInstances: [{ label: "default", address: DEFAULT_DOMAIN }],
  opTypes: [NOTE],
  placement: "app",
  feePolicy: [{ opType: NOTE, role: "consumer", producesFees: false }],
  activation: { fromFrame: 0n },
}

const utf8 = new TextEncoder()
const note: Builder<{ readonly key: string; readonly value: string }> = {
  description: "note key value: store value under key in the default instance",
  build: (args) => Effect.succeed(noteOp.encode({ domain: DEFAULT_DOMAIN, key: utf8.encode(args.key), value: utf8.encode(args.value) })),
}
export const builders = { note }

const plugin: Intrinsic<typeof builders> = {
  manifest,
  operations: [noteOp],
  queries,
  builders,
  cli: pluginCli,
}

export default plugin
