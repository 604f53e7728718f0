// The node's public module names for code loaded at run time: a plugin installed as a package
// imports the contract as `quilbun/contract` (package.json `exports`), but it lives in the node's
// node_modules, not inside the quilbun package, so Node-style resolution cannot find that name. A Bun
// runtime plugin provides it as a module re-exporting the contract's own file, so the plugin and the
// node share one contract module (one class per typed error, one registry of operations).
import { plugin } from "bun"
import { CONTRACT_MODULE, CONTRACT_SPECIFIER } from "./plugin-sources.ts"

let registered = false

/** Makes `quilbun/contract` importable in this process; idempotent. */
export const providePublicModules = (): void => {
  if (registered) return
  registered = true
  void plugin({
    name: "quilbun-public-modules",
    setup(build) {
      build.module(CONTRACT_SPECIFIER, () => ({ contents: `export * from ${JSON.stringify(CONTRACT_MODULE)}`, loader: "ts" }))
    },
  })
}
