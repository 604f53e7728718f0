// The runnable blocks of plugins/README.md's tutorial: ```ts file=<name>``` blocks are the plugin's
// files; ```sh guide [node|cli|http]``` blocks hold `$ command` lines, each followed by its expected
// output (none: it must only succeed). The guide's tests write the files into a folder laid out like
// the repository and run every command, so a block that stops working fails a test.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const REPO = resolve(import.meta.dir, "../../..")
export const GUIDE_PLUGIN = "tally"

export interface GuideFile {
  readonly name: string
  readonly content: string
}

export interface GuideCommand {
  /** `guide` runs without a node; `node` starts it; `cli` and `http` need it running. */
  readonly kind: "guide" | "node" | "cli" | "http"
  readonly command: string
  readonly output: ReadonlyArray<string>
}

export const readGuide = (): { readonly files: ReadonlyArray<GuideFile>; readonly commands: ReadonlyArray<GuideCommand> } => {
  const text = readFileSync(join(REPO, "plugins/README.md"), "utf8")
  const files: Array<GuideFile> = []
  const commands: Array<GuideCommand> = []
  for (const m of text.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, info = "", body = ""] = m
    const words = info.trim().split(/\s+/)
    const file = words.find((w) => w.startsWith("file="))
    if (lang === "ts" && file !== undefined) files.push({ name: file.slice(5), content: body })
    if (lang === "sh" && words[0] === "guide") {
      const kind = words[1] === "node" || words[1] === "cli" || words[1] === "http" ? words[1] : "guide"
      for (const line of body.split("\n").filter((l) => l.length > 0)) {
        if (line.startsWith("$ ")) commands.push({ kind, command: line.slice(2), output: [] })
        else (commands[commands.length - 1]?.output as Array<string> | undefined)?.push(line)
      }
    }
  }
  return { files, commands }
}

/** A temporary root laid out like the repository (intrinsics/ and node_modules/ linked), with an empty plugins/. */
export const guideRoot = (): string => {
  const root = mkdtempSync(join(tmpdir(), "quilbun-plugin-guide-"))
  mkdirSync(join(root, "plugins"))
  symlinkSync(join(REPO, "intrinsics"), join(root, "intrinsics"))
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"))
  return root
}

/** Writes the guide's files into `<root>/plugins/tally/`; answers the folder. */
export const writeGuideFiles = (root: string, files: ReadonlyArray<GuideFile>): string => {
  const dir = join(root, "plugins", GUIDE_PLUGIN)
  mkdirSync(dir, { recursive: true })
  for (const f of files) writeFileSync(join(dir, f.name), f.content)
  return dir
}
