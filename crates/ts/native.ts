// Locates and opens the quilcrypto cdylib (crates/target/release/libquilcrypto.<suffix>).
// Each binding module opens the symbols it needs once and keeps them for the life of the
// process (dlopen is reference-counted; closing while calls may run is undefined behaviour).
import { dlopen, suffix, type ConvertFns, type FFIFunction } from "bun:ffi"
import { existsSync } from "node:fs"
import { join } from "node:path"

/** Path of the native library; QUILBUN_NATIVE_LIB overrides it (tests use it to simulate absence). */
export const nativeLibraryPath = (): string => process.env["QUILBUN_NATIVE_LIB"] ?? join(import.meta.dir, "..", "target", "release", `libquilcrypto.${suffix}`)

/** Opens the library with `symbols`, or returns undefined (with the reason) when it is unavailable. */
export const openNative = <const Fns extends Record<string, FFIFunction>>(
  symbols: Fns,
): { readonly lib: ConvertFns<Fns> } | { readonly unavailable: string } => {
  const path = nativeLibraryPath()
  if (!existsSync(path)) return { unavailable: `native library not found at ${path} (build it with \`sh scripts/setup.sh\`, which needs cargo)` }
  try {
    return { lib: dlopen(path, symbols).symbols }
  } catch (e) {
    return { unavailable: `cannot load ${path}: ${e instanceof Error ? e.message : String(e)}` }
  }
}

// Argument packing shared by the bindings (layouts documented on the Rust exports).

/** null for empty inputs: bun:ffi cannot take a pointer to a zero-length buffer. */
export const nullIfEmpty = (bytes: Uint8Array): Uint8Array | null => (bytes.length === 0 ? null : bytes)

/** Fixed-size items back to back (keys n × 585, signatures n × 74, ...). */
export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Variable-size items as repeated `u32_be(len) ‖ bytes`. */
export const packLengthPrefixed = (items: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(items.reduce((n, x) => n + 4 + x.length, 0))
  const view = new DataView(out.buffer)
  let off = 0
  for (const x of items) {
    view.setUint32(off, x.length)
    out.set(x, off + 4)
    off += 4 + x.length
  }
  return out
}
