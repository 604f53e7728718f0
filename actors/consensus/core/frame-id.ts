import { bytesToHex } from "@noble/hashes/utils.js"
import type { AppFrameHeader } from "./messages/app-frame-header.ts"
import type { GlobalFrameHeader } from "./messages/global-frame-header.ts"
import type { PoseidonHash } from "../../../crates/ts/services.ts"

/**
 * Time-reel frame ids (consensus.md §2.2): hex(poseidon(ASCII text)), distinct from the selector.
 * Global text is Go's "%d:%d:%x:%x" of frame_number, timestamp, output, parent_selector; app text is
 * "%x:%d:%d:%x:%x" with the address first. %x of bytes is lowercase hex (empty for no bytes).
 */
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

export const globalFrameIdText = (h: GlobalFrameHeader): string => `${h.frameNumber}:${h.timestamp}:${bytesToHex(h.output)}:${bytesToHex(h.parentSelector)}`

export const appFrameIdText = (h: AppFrameHeader): string =>
  `${bytesToHex(h.address)}:${h.frameNumber}:${h.timestamp}:${bytesToHex(h.output)}:${bytesToHex(h.parentSelector)}`

export const globalFrameId = (poseidon: PoseidonHash, h: GlobalFrameHeader): string => bytesToHex(poseidon(ascii(globalFrameIdText(h))))

export const appFrameId = (poseidon: PoseidonHash, h: AppFrameHeader): string => bytesToHex(poseidon(ascii(appFrameIdText(h))))
