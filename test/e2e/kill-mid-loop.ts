// Reads a child's stdout line by line (one number per line, each printed after its commit) and
// SIGKILLs it once `killAfter` lines arrived; reading goes on after the kill, since lines already in
// the pipe were committed too. Answers every number reported.
import type { Subprocess } from "bun"

export const readNumbersKillingAfter = async (
  child: Subprocess<"ignore" | "inherit" | "pipe", "pipe", "pipe">,
  killAfter: number,
): Promise<ReadonlyArray<number>> => {
  const reported: Array<number> = []
  let buffered = ""
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  let killed = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    buffered += decoder.decode(value, { stream: true })
    const lines = buffered.split("\n")
    buffered = lines.pop() ?? ""
    for (const l of lines) reported.push(Number(l))
    if (!killed && reported.length >= killAfter) {
      child.kill("SIGKILL")
      killed = true
    }
  }
  return reported
}
