// The layer rules of design §8 (CI: `bun run lint:deps`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "kernel-imports-nothing-above",
      comment: "runtime/kernel (actors, mailboxes, supervision, processes, transport, metrics, logging) is the bottom of the platform.",
      severity: "error",
      from: { path: "^runtime/kernel/" },
      to: { path: "^(actors|intrinsics|plugins)/|^runtime/(?!kernel/)" },
    },
    {
      name: "platform-services-below-actors",
      comment: "The store, the network and the admin API are services under the subsystems; they know no subsystem.",
      severity: "error",
      from: { path: "^runtime/(store|network|api)/" },
      to: { path: "^(actors|intrinsics|plugins)/|^runtime/(node|embed|cli|testing)/" },
    },
    {
      name: "network-knows-no-consensus",
      comment: "The network layer carries bytes; consensus rules live with the consensus.",
      severity: "error",
      from: { path: "^runtime/network/" },
      to: { path: "^runtime/(store|api)/" },
    },
    {
      name: "consensus-core-does-no-io",
      comment: "actors/consensus/core is pure HotStuff: crypto arrives as the services of crates/ts/services.ts.",
      severity: "error",
      from: { path: "^actors/consensus/core/" },
      to: {
        path: "^(runtime|config|intrinsics|plugins)/|^actors/(?!consensus/core/)|^crates/(?!ts/(services|verified-inputs)\\.ts$)|^(fs|net|child_process|worker_threads|dgram|http|https|os)$|^node:|^node_modules/(lmdb|libp2p|@libp2p|@chainsafe|hono|cbor-x)/",
      },
    },
    {
      name: "actors-below-node",
      comment: "Subsystems never import node assembly, the API, embedding, programs or the test harness.",
      severity: "error",
      from: { path: "^actors/" },
      to: { path: "^runtime/(node|api|embed|cli|testing)/" },
    },
    {
      name: "crates-are-a-leaf",
      severity: "error",
      from: { path: "^crates/" },
      to: { path: "^(actors|runtime|config|intrinsics|plugins|test)/" },
    },
    {
      name: "config-is-a-leaf",
      comment: "Config sees only the kernel's log-level list (one list for config and API).",
      severity: "error",
      from: { path: "^config/" },
      to: { path: "^(actors|intrinsics|plugins|crates)/|^runtime/(?!kernel/logging\\.ts$)" },
    },
    {
      name: "intrinsics-see-only-the-contract",
      comment: "Built-in and plugin intrinsics reach the node only through intrinsics/contract.",
      severity: "error",
      from: { path: "^(intrinsics|plugins)/" },
      to: { path: "^(actors|runtime|config)/" },
    },
    {
      name: "plugins-see-only-the-contract",
      severity: "error",
      from: { path: "^plugins/" },
      to: { path: "^intrinsics/(?!contract/)|^crates/" },
    },
    {
      name: "product-never-imports-tests",
      severity: "error",
      from: { path: "^(actors|runtime|config|crates|intrinsics|plugins)/" },
      to: { path: "^test/" },
    },
    {
      name: "no-circular",
      comment: "Import cycles (type-only imports excepted: they vanish at run time).",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    // TypeScript 7 has no JS API for dependency-cruiser; swc parses the sources.
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.tools|crates/target)/" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
  },
}
