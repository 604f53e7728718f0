// Where the crypto test vectors live (test/vectors/README.md says where they came from).
import { join } from "node:path"

export const vectorsDir = join(import.meta.dir)
export const vectorPath = (name: string): string => join(vectorsDir, name)
