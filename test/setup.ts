// Global test setup: make sure the JUnit report folder exists (bun does not create it
// and silently skips the report otherwise).
import { mkdirSync } from "node:fs"
mkdirSync(new URL("../reports", import.meta.url).pathname, { recursive: true })

// Keep cbor-x off its native addon in every test file, whatever it imports first.
import "../runtime/store/cbor-native-off.ts"
