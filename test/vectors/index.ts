// Where the crypto test vectors live: this folder (its README says where each file came from), or the
// whole set elsewhere when QUIL_CRYPTO_VECTORS names a folder.
import { join } from "node:path"

export const vectorsDir = process.env["QUIL_CRYPTO_VECTORS"] ?? import.meta.dir
export const vectorPath = (name: string): string => join(vectorsDir, name)

/** Vectors this repository generates itself (never redirected by QUIL_CRYPTO_VECTORS). */
export const localVectorPath = (name: string): string => join(import.meta.dir, name)
