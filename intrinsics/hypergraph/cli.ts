// `bun run cli hypergraph …` (spec §7.3, printed lines as the reference where it has them). Commands
// build operations with the builders (builders.ts) and reach the node only through env.api: a
// write wraps its operation in a MessageBundle and submits it (env.api.submitBundle: it waits until
// the bundle is committed, or only until the node accepted it with --no-wait), or prints it with --dry-run.
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  type BuildError,
  type CliContribution,
  type CliEnv,
  eraseCliCommand,
  ID_LENGTH,
  IntrinsicCliFailure,
  type IntrinsicCliGroup,
  encodeMessageBundle,
} from "../contract/index.ts"
import {
  deployBuilder,
  deployedDomain,
  hyperedgeAddBuilder,
  hyperedgeDataAddress,
  hyperedgeRemoveBuilder,
  updateBuilder,
  vertexAddBuilder,
  vertexDataAddress,
  vertexRemoveBuilder,
} from "./builders.ts"
import type { HypergraphConfig } from "./config.ts"
import { BLS_SECRET_KEY_BYTES } from "./constants.ts"
import type { Entry } from "./entries.ts"
import { concatBytes } from "@noble/hashes/utils.js"
import { AtomAnswer } from "./queries.ts"

const usage = (reason: string) => new IntrinsicCliFailure({ reason, usage: true })
const failed = (reason: string) => new IntrinsicCliFailure({ reason, usage: false })

const parseHex = (value: string, what: string, size?: number): Effect.Effect<Uint8Array, IntrinsicCliFailure> => {
  const hex = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return Effect.fail(usage(`${what} must be hex: ${value}`))
  const bytes = hexToBytes(hex)
  if (size !== undefined && bytes.length !== size) return Effect.fail(usage(`${what} must be ${size} bytes, got ${bytes.length}`))
  return Effect.succeed(bytes)
}

/** `key=value` arguments: UTF-8 key and value, split at the first `=`. */
export const parseKeyValues = (args: ReadonlyArray<string>): Effect.Effect<Array<Entry>, IntrinsicCliFailure> =>
  Effect.forEach(args, (arg) => {
    const at = arg.indexOf("=")
    if (at <= 0) return Effect.fail(usage(`expected key=value, got ${JSON.stringify(arg)}`))
    const enc = new TextEncoder()
    return Effect.succeed({ key: enc.encode(arg.slice(0, at)), value: enc.encode(arg.slice(at + 1)) })
  })

/** The lines of `get vertex|hyperedge` (spec §7.3). */
export const atomLines = (answer: AtomAnswer): Array<string> => [
  `Address: ${answer.address}`,
  `Type:    ${answer.type}`,
  `Shard:   L1=${answer.shard.l1} L2=${answer.shard.l2}`,
  `Entries (${answer.entries.length}):`,
  ...answer.entries.map((e, i) => `  [${i}] ${e.key} = ${e.value}`),
]

const printLines = (lines: ReadonlyArray<string>): Effect.Effect<void> => Effect.forEach(lines, (l) => Console.log(l), { discard: true })

const fromBuild = <A>(effect: Effect.Effect<A, BuildError>): Effect.Effect<A, IntrinsicCliFailure> => Effect.mapError(effect, (e) => failed(e.reason))

/** How a write ends: --dry-run prints the bundle; --no-wait returns once the node accepted it. */
interface WriteMode {
  readonly dryRun: boolean
  readonly noWait: boolean
}

/**
 * --dry-run prints the details and the bundle; otherwise the bundle is submitted and the success line
 * (§7.3) printed once it is committed (accepted, with --no-wait).
 */
const submitOrPrint = (
  env: CliEnv,
  mode: WriteMode,
  operation: Uint8Array,
  success: string,
  details: ReadonlyArray<string>,
): Effect.Effect<void, IntrinsicCliFailure> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const bundle = encodeMessageBundle([operation], BigInt(now))
    return mode.dryRun
      ? printLines(["Dry run: not submitted", ...details, `Bundle: ${bytesToHex(bundle)}`])
      : Effect.zipRight(env.api.submitBundle(bundle, { wait: !mode.noWait }), printLines([success, ...details]))
  })

const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("Print the bundle instead of submitting it."))
const noWait = Options.boolean("no-wait").pipe(Options.withDescription("Return once the node accepted the bundle, without waiting for its commit."))
const domainOption = Options.text("domain").pipe(Options.withAlias("d"), Options.withDescription("The hypergraph instance (32 bytes, hex)."))
const signingKey = Options.text("signing-key").pipe(Options.withDescription("The instance's Ed448 write secret key (57 bytes, hex)."))
const fullAddress = Args.text({ name: "FullAddress" }).pipe(Args.withDescription("A 64-byte atom id, hex."))

const CONFIG_KEYS = ["read_public_key", "write_public_key", "owner_public_key"]

/**
 * `key=value` configuration and file arguments (deploy, update). Keys: read_public_key,
 * write_public_key (57 bytes hex), owner_public_key (optional, 585 bytes hex); `config` is
 * undefined when no key is given, and needs both Ed448 keys otherwise.
 */
const configAndFiles = (
  args: ReadonlyArray<string>,
): Effect.Effect<{ readonly config: HypergraphConfig | undefined; readonly files: ReadonlyArray<string> }, IntrinsicCliFailure> =>
  Effect.gen(function* () {
    const files = args.filter((a) => !a.includes("="))
    const pairs = new Map<string, string>()
    for (const a of args.filter((x) => x.includes("="))) {
      const at = a.indexOf("=")
      pairs.set(a.slice(0, at), a.slice(at + 1))
    }
    const unknown = [...pairs.keys()].filter((k) => !CONFIG_KEYS.includes(k))
    if (unknown.length > 0) return yield* Effect.fail(usage(`unknown keys: ${unknown.join(", ")}`))
    if (pairs.size === 0) return { config: undefined, files }
    const read = pairs.get("read_public_key")
    const write = pairs.get("write_public_key")
    if (read === undefined || write === undefined) return yield* Effect.fail(usage("read_public_key= and write_public_key= are required"))
    const config = {
      readPublicKey: yield* parseHex(read, "read_public_key", 57),
      writePublicKey: yield* parseHex(write, "write_public_key", 57),
      ownerPublicKey: yield* parseHex(pairs.get("owner_public_key") ?? "", "owner_public_key"),
    }
    return { config, files }
  })

/** `deploy [key=value...] [schema.rdf]`: the configuration and exactly one schema file. */
export const deployArgs = (
  args: ReadonlyArray<string>,
): Effect.Effect<{ readonly config: HypergraphConfig; readonly schemaPath: string }, IntrinsicCliFailure> =>
  Effect.gen(function* () {
    const { config, files } = yield* configAndFiles(args)
    if (files.length !== 1) return yield* Effect.fail(usage("give exactly one RDF schema file"))
    if (config === undefined) return yield* Effect.fail(usage("read_public_key= and write_public_key= are required"))
    return { config, schemaPath: files[0] as string }
  })

/** `update [key=value...] [schema.rdf]`: a new configuration, a schema file, or both. */
export const updateArgs = (
  args: ReadonlyArray<string>,
): Effect.Effect<{ readonly config: HypergraphConfig | undefined; readonly schemaPath: string | undefined }, IntrinsicCliFailure> =>
  Effect.gen(function* () {
    const { config, files } = yield* configAndFiles(args)
    if (files.length > 1) return yield* Effect.fail(usage("give at most one RDF schema file"))
    if (config === undefined && files.length === 0) return yield* Effect.fail(usage("an update needs key=value configuration, a schema file or both"))
    return { config, schemaPath: files[0] }
  })

const ownerKeyUsage = () => usage(`--owner-key must be a ${BLS_SECRET_KEY_BYTES}-byte BLS48-581 secret key (hex) or a file holding one (hex or raw)`)

const hexBody = (text: string): string | undefined => {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text
  return hex.length === BLS_SECRET_KEY_BYTES * 2 && /^[0-9a-fA-F]+$/.test(hex) ? hex : undefined
}

/** `--owner-key`: the secret key in hex (as `crypto bls keygen` prints it), or a file holding it in hex or raw bytes. */
export const parseOwnerKey = (value: string): Effect.Effect<Uint8Array, IntrinsicCliFailure> => {
  const inline = hexBody(value)
  if (inline !== undefined) return Effect.succeed(hexToBytes(inline))
  return Effect.tryPromise({ try: () => Bun.file(value).bytes(), catch: () => ownerKeyUsage() }).pipe(
    Effect.flatMap((bytes) => {
      if (bytes.length === BLS_SECRET_KEY_BYTES) return Effect.succeed(bytes)
      const hex = hexBody(new TextDecoder().decode(bytes).trim())
      return hex === undefined ? Effect.fail(ownerKeyUsage()) : Effect.succeed(hexToBytes(hex))
    }),
  )
}

const readSchema = (path: string): Effect.Effect<string, IntrinsicCliFailure> =>
  Effect.tryPromise({ try: () => Bun.file(path).text(), catch: () => usage(`cannot read the schema file ${path}`) })

const deployCommand = (env: CliEnv) =>
  Command.make("deploy", { args: Args.text({ name: "key=value|schema.rdf" }).pipe(Args.repeated), dryRun, noWait }, (a) =>
    Effect.gen(function* () {
      const { config, schemaPath } = yield* deployArgs(a.args)
      const schema = yield* readSchema(schemaPath)
      const operation = yield* fromBuild(deployBuilder.build({ config, schema }, env.build))
      const domain = yield* fromBuild(deployedDomain(config, env.build))
      yield* submitOrPrint(env, a, operation, "Hypergraph schema deployed successfully", [`  Domain: 0x${bytesToHex(domain)}`])
    }),
  ).pipe(Command.withDescription("Deploy a hypergraph instance with an RDF schema (prints Domain)."))

const ownerKey = Options.text("owner-key").pipe(
  Options.withDescription(`The instance's BLS48-581 owner secret key (${BLS_SECRET_KEY_BYTES} bytes): hex, or a file holding it.`),
)

const updateCommand = (env: CliEnv) =>
  Command.make("update", { args: Args.text({ name: "key=value|schema.rdf" }).pipe(Args.repeated), domain: domainOption, ownerKey, dryRun, noWait }, (a) =>
    Effect.gen(function* () {
      const { config, schemaPath } = yield* updateArgs(a.args)
      const domain = yield* parseHex(a.domain, "--domain", 32)
      const ownerSecretKey = yield* parseOwnerKey(a.ownerKey)
      const schema = schemaPath === undefined ? undefined : yield* readSchema(schemaPath)
      const operation = yield* fromBuild(
        updateBuilder.build({ domain, ownerSecretKey, ...(config === undefined ? {} : { config }), ...(schema === undefined ? {} : { schema }) }, env.build),
      )
      yield* submitOrPrint(env, a, operation, "Hypergraph updated successfully", [`  Domain: 0x${bytesToHex(domain)}`])
    }),
  ).pipe(Command.withDescription("Update an instance's configuration and/or schema (additive), signed by the owner key."))

const putVertex = (env: CliEnv) =>
  Command.make("vertex", { pairs: Args.text({ name: "key=value" }).pipe(Args.repeated), domain: domainOption, signingKey, dryRun, noWait }, (a) =>
    Effect.gen(function* () {
      const entries = yield* parseKeyValues(a.pairs)
      const domain = yield* parseHex(a.domain, "--domain", 32)
      const key = yield* parseHex(a.signingKey, "--signing-key", 57)
      const operation = yield* fromBuild(vertexAddBuilder.build({ domain, entries, signingKey: key }, env.build))
      yield* submitOrPrint(env, a, operation, "Vertex submitted successfully", [`Full address: ${bytesToHex(concatBytes(domain, vertexDataAddress(entries)))}`])
    }),
  ).pipe(Command.withDescription("Store a plaintext vertex of key=value entries."))

const putHyperedge = (env: CliEnv) =>
  Command.make("hyperedge", { atoms: Args.text({ name: "AtomAddresses" }).pipe(Args.atLeast(1)), domain: domainOption, signingKey, dryRun, noWait }, (a) =>
    Effect.gen(function* () {
      const ids = a.atoms.flatMap((s) => s.split(",")).filter((s) => s.length > 0)
      const members = yield* Effect.forEach(ids, (s) => parseHex(s, "an atom address", ID_LENGTH))
      const domain = yield* parseHex(a.domain, "--domain", 32)
      const key = yield* parseHex(a.signingKey, "--signing-key", 57)
      const operation = yield* fromBuild(hyperedgeAddBuilder.build({ domain, members, signingKey: key }, env.build))
      yield* submitOrPrint(env, a, operation, "Hyperedge submitted successfully", [
        `Full address: ${bytesToHex(concatBytes(domain, hyperedgeDataAddress(members)))}`,
      ])
    }),
  ).pipe(Command.withDescription("Store a hyperedge over atom ids (comma lists allowed)."))

const inDomain = (id: Uint8Array, domain: Uint8Array): Effect.Effect<void, IntrinsicCliFailure> =>
  bytesToHex(id.slice(0, 32)) === bytesToHex(domain) ? Effect.void : Effect.fail(usage("the address is not in --domain"))

const removeVertex = (env: CliEnv) =>
  Command.make("vertex", { address: fullAddress, domain: domainOption, signingKey, dryRun, noWait }, (a) =>
    Effect.gen(function* () {
      const id = yield* parseHex(a.address, "FullAddress", ID_LENGTH)
      const domain = yield* parseHex(a.domain, "--domain", 32)
      yield* inDomain(id, domain)
      const key = yield* parseHex(a.signingKey, "--signing-key", 57)
      const operation = yield* fromBuild(vertexRemoveBuilder.build({ domain, dataAddress: id.slice(32), signingKey: key }, env.build))
      yield* submitOrPrint(env, a, operation, "Vertex remove submitted successfully", [`Address: ${bytesToHex(id)}`])
    }),
  ).pipe(Command.withDescription("Remove a vertex (permanently)."))

const removeHyperedge = (env: CliEnv) =>
  Command.make("hyperedge", { address: fullAddress, domain: domainOption, signingKey, dryRun, noWait }, (a) =>
    Effect.gen(function* () {
      const id = yield* parseHex(a.address, "FullAddress", ID_LENGTH)
      const domain = yield* parseHex(a.domain, "--domain", 32)
      yield* inDomain(id, domain)
      const key = yield* parseHex(a.signingKey, "--signing-key", 57)
      const operation = yield* fromBuild(hyperedgeRemoveBuilder.build({ hyperedgeId: id, signingKey: key }, env.build))
      yield* submitOrPrint(env, a, operation, "Hyperedge remove submitted successfully", [`Address: ${bytesToHex(id)}`])
    }),
  ).pipe(Command.withDescription("Remove a hyperedge (permanently)."))

const decodeAnswer = Schema.decodeUnknown(AtomAnswer)

const getAtom = (env: CliEnv, kind: "vertex" | "hyperedge") =>
  Command.make(kind, { address: fullAddress }, (a) =>
    Effect.gen(function* () {
      const id = yield* parseHex(a.address, "FullAddress", ID_LENGTH)
      const raw = yield* env.api.get(kind, { id: bytesToHex(id) })
      const answer = yield* Effect.mapError(decodeAnswer(raw), () => failed(`the node's ${kind} answer is malformed`))
      yield* printLines(atomLines(answer))
    }),
  ).pipe(Command.withDescription(`Show a ${kind}: phase, shard and entries.`))

const subgroup = (name: string, description: string, members: IntrinsicCliGroup["members"]): IntrinsicCliGroup => ({
  _tag: "IntrinsicCliGroup",
  name,
  description,
  members,
})

export const hypergraphCli: CliContribution = (env) => ({
  description: "Hypergraph instances: deploy and update, put, get and remove vertices and hyperedges.",
  members: [
    eraseCliCommand(deployCommand(env)),
    eraseCliCommand(updateCommand(env)),
    subgroup("put", "Store a vertex or a hyperedge.", [eraseCliCommand(putVertex(env)), eraseCliCommand(putHyperedge(env))]),
    subgroup("get", "Show a vertex or a hyperedge.", [eraseCliCommand(getAtom(env, "vertex")), eraseCliCommand(getAtom(env, "hyperedge"))]),
    subgroup("remove", "Remove a vertex or a hyperedge.", [eraseCliCommand(removeVertex(env)), eraseCliCommand(removeHyperedge(env))]),
  ],
})
