// Locates and opens the quilcrypto cdylib (crates/target/release/libquilcrypto.<suffix>).
// Each binding module opens the symbols it needs once and keeps them for the life of the
// process (dlopen is reference-counted; closing while calls may run is undefined behaviour).
import { dlopen, suffix, type ConvertFns, type FFIFunction } from "bun:ffi"
import { existsSync } from "node:fs"
import { join } from "node:path"

/** Path of the native library; QUILBUN_NATIVE_LIB overrides it (tests use it to simulate absence). */
export const nativeLibraryPath = (): string =>
  process.env["QUILBUN_NATIVE_LIB"] ?? join(import.meta.dir, "..", "target", "release", `libquilcrypto.${suffix}`)

/** Opens the library with `symbols`, or returns undefined (with the reason) when it is unavailable. */
export const openNative = <const Fns extends Record<string, FFIFunction>>(
  symbols: Fns
): { readonly lib: ConvertFns<Fns> } | { readonly unavailable: string } => {
  const path = nativeLibraryPath()
  if (!existsSync(path)) return { unavailable: `native library not found at ${path} (run scripts/setup.sh with cargo installed)` }
  try {
    return { lib: dlopen(path, symbols).symbols }
  } catch (e) {
    return { unavailable: `cannot load ${path}: ${e instanceof Error ? e.message : String(e)}` }
  }
}
