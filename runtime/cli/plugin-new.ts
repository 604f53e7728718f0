// `bun run plugin new <name> [--dir <plugins dir>]`: copies plugins/template to <plugins dir>/<name>
// (default: this repo's plugins/, or QUILBUN_PLUGINS_DIR), rewriting the name (manifest name, domain
// derivation strings, CLI group, file names, README, test names) and the op type.
//
// Op types: each plugin owns one block of 256 prefixes, 0xXX00–0xXXFF. The new plugin gets the lowest
// block in 0x72–0x7F holding no op type of a built-in, of the template, or of any plugin already in
// the target folder (read from their manifests), so it loads next to all of them without overlap.
// Refused with exit 2: a name that is not [a-z][a-z0-9-]{0,31}, a reserved name (built-ins, CLI groups,
// the template), or an existing folder — which is never touched.
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import type { Intrinsic } from "../../intrinsics/contract/index.ts"
import { builtInIntrinsics } from "../node/intrinsics.ts"

const REPO = resolve(import.meta.dir, "../..")
const TEMPLATE_DIR = join(REPO, "plugins", "template")
const TEMPLATE_NAME = "template"
const TEMPLATE_OP_TYPE = "0x7200"
const NAME = /^[a-z][a-z0-9-]{0,31}$/
// Built-ins the contract names but the node does not ship yet, the CLI's own groups (a plugin's group
// is mounted beside them) and the template (its copy would share its name and domains) keep their names.
const RESERVED = new Set(["token", "hypergraph", "global", "compute", "node", "crypto", TEMPLATE_NAME, ...builtInIntrinsics.map((i) => i.manifest.name)])
const [FIRST_BLOCK, LAST_BLOCK] = [0x72, 0x7f]

class Refused extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}

const usage = "usage: bun run plugin new <name> [--dir <plugins dir>]"

const parseArgs = (argv: ReadonlyArray<string>): { name: string; dir: string } => {
  const [command, name, ...rest] = argv
  if (command !== "new" || name === undefined) throw new Refused(usage, 2)
  let dir = process.env.QUILBUN_PLUGINS_DIR ?? join(REPO, "plugins")
  for (let i = 0; i < rest.length; i++) {
    const value = rest[i + 1]
    if (rest[i] !== "--dir" || value === undefined) throw new Refused(`unexpected argument ${JSON.stringify(rest[i])}\n${usage}`, 2)
    dir = resolve(value)
    i++
  }
  return { name, dir }
}

const checkName = (name: string, dir: string): void => {
  if (!NAME.test(name)) throw new Refused(`invalid plugin name ${JSON.stringify(name)}: 1-32 of [a-z0-9-], starting with a letter`, 2)
  if (RESERVED.has(name))
    throw new Refused(`invalid plugin name ${JSON.stringify(name)}: it is reserved (a built-in intrinsic, a CLI group or the template)`, 2)
  if (existsSync(join(dir, name))) throw new Refused(`plugin ${JSON.stringify(name)} already exists: ${join(dir, name)} (not overwritten)`, 2)
}

const isIntrinsic = (u: unknown): u is Intrinsic => typeof u === "object" && u !== null && "manifest" in u

/** The op types of the built-ins, the template and every plugin folder (with an index.ts) in `dir`. */
const usedOpTypes = async (dir: string): Promise<Array<number>> => {
  const folders = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "index.ts"))) : []
  const entries = [TEMPLATE_DIR, ...folders.map((d) => join(dir, d.name))].map((f) => join(f, "index.ts"))
  const plugins = await Promise.all(
    entries.map(async (entry) => {
      const mod: unknown = await import(entry).catch((e: unknown) => {
        throw new Refused(`cannot read the manifest of ${entry}: ${e instanceof Error ? e.message : String(e)}`, 1)
      })
      const intrinsic = typeof mod === "object" && mod !== null && "default" in mod ? mod.default : undefined
      if (!isIntrinsic(intrinsic)) throw new Refused(`${entry} has no Intrinsic default export`, 1)
      return intrinsic
    }),
  )
  return [...builtInIntrinsics, ...plugins].flatMap((i) => i.manifest.opTypes)
}

const freeOpType = (used: ReadonlyArray<number>): number => {
  const taken = new Set(used.map((t) => t >>> 8))
  for (let block = FIRST_BLOCK; block <= LAST_BLOCK; block++) if (!taken.has(block)) return block << 8
  throw new Refused(`no free op-type block in 0x${FIRST_BLOCK.toString(16)}00–0x${LAST_BLOCK.toString(16)}ff`, 1)
}

const rewrite = (target: string, name: string, opType: number): void => {
  const hex = `0x${opType.toString(16).padStart(4, "0")}`
  for (const file of readdirSync(target)) {
    const path = join(target, file)
    const text = readFileSync(path, "utf8").replaceAll(TEMPLATE_OP_TYPE, hex).replaceAll(TEMPLATE_NAME, name)
    const generated = file === "README.md" ? text.replace(/\n\n/, `\n\nGenerated from \`plugins/template\` by \`bun run plugin new ${name}\`.\n\n`) : text
    writeFileSync(path, generated)
    if (file.startsWith(`${TEMPLATE_NAME}.`)) renameSync(path, join(target, file.replace(TEMPLATE_NAME, name)))
  }
}

/** Best effort: names longer than the template's may push a line past the formatter's width. */
const format = (target: string): void => {
  const biome = join(REPO, "node_modules", ".bin", "biome")
  if (existsSync(biome)) Bun.spawnSync([biome, "format", "--write", target], { cwd: REPO, stdout: "ignore", stderr: "ignore" })
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  try {
    const { name, dir } = parseArgs(argv)
    checkName(name, dir)
    const opType = freeOpType(await usedOpTypes(dir))
    const target = join(dir, name)
    // Re-checked after the (slow) manifest scan; cpSync with errorOnExist never replaces a file.
    if (existsSync(target)) throw new Refused(`plugin ${JSON.stringify(name)} already exists: ${target} (not overwritten)`, 2)
    cpSync(TEMPLATE_DIR, target, { recursive: true, errorOnExist: true, force: false, filter: (src) => !src.includes("node_modules") })
    rewrite(target, name, opType)
    format(target)
    process.stdout.write(`created ${target} (op type 0x${opType.toString(16)}); load it with --set plugins=./plugins/${name}\n`)
    return 0
  } catch (e) {
    if (e instanceof Refused) {
      process.stderr.write(`error: ${e.message}\n`)
      return e.exitCode
    }
    throw e
  }
}

process.exitCode = await main(process.argv.slice(2))
