// Without the native crypto library (no cargo at set-up) the node cannot sign or verify BLS48-581,
// which has no TypeScript fallback: it exits 1 with one line naming the library path and the set-up
// command, instead of an empty "cannot start".
import { expect, test } from "bun:test"
import { mainEntry, processFixture, repoRoot } from "./node-process.ts"

const { tempDir } = processFixture("quilbun-native-missing-")

test("a missing native library: exit 1, one line naming the path and scripts/setup.sh", async () => {
  const missing = "/nonexistent/libquilcrypto.so"
  const proc = Bun.spawn({
    cmd: [process.execPath, mainEntry, "--data-dir", tempDir(), "--api-listen", "127.0.0.1:0", "--workers", "1"],
    cwd: repoRoot,
    env: { ...process.env, QUILBUN_NATIVE_LIB: missing },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  })
  expect(await proc.exited).toBe(1)
  const lines = (await new Response(proc.stderr).text()).trim().split("\n")
  expect(lines.at(-1)).toBe(`node: cannot start: BLS48-581: native library not found at ${missing} (build it with \`sh scripts/setup.sh\`, which needs cargo)`)
}, 30_000)
