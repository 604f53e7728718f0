// The layer rules of design §8 that hold for today's tree (CI: `bun run lint:deps`). Folder names
// will follow §8 with the restructure; until then runtime/{actor,process,transport,metrics} are the
// kernel, actors/p2p the network layer, actors/store the store.
/** @type {import('dependency-cruiser').IConfiguration} */
const KERNEL = "^runtime/(actor|process|transport|metrics)/|^runtime/(logging|index|version)\\.ts$"
module.exports = {
  forbidden: [
    {
      name: "kernel-imports-nothing-above",
      comment: "The actor kernel, processes, transport interface and metrics are the bottom of the platform.",
      severity: "error",
      from: { path: KERNEL },
      to: { path: "^(actors|intrinsics|plugins)/|^runtime/(node|embed|cli|devnet|consensus)/" },
    },
    {
      name: "actors-below-node",
      comment: "Subsystems never import node assembly, embedding, programs or the devnet launcher.",
      severity: "error",
      from: { path: "^actors/" },
      to: { path: "^runtime/(node|embed|cli|devnet)/" },
    },
    {
      name: "network-knows-no-consensus",
      comment: "The network layer carries bytes; consensus rules live with the consensus.",
      severity: "error",
      from: { path: "^actors/(p2p|store)/" },
      to: { path: "^actors/(global-consensus|time-reel|prover-registry|event-distributor)/" },
    },
    {
      name: "crates-are-a-leaf",
      severity: "error",
      from: { path: "^crates/" },
      to: { path: "^(actors|runtime|config|intrinsics|plugins|test)/" },
    },
    {
      name: "config-is-a-leaf",
      severity: "error",
      from: { path: "^config/" },
      to: { path: "^(actors|intrinsics|plugins|crates)/|^runtime/(node|embed|cli|devnet|consensus)/" },
    },
    {
      name: "intrinsics-see-only-the-contract",
      severity: "error",
      from: { path: "^(intrinsics|plugins)/" },
      to: { path: "^(actors|runtime|config)/" },
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
