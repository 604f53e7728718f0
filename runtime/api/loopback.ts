// Whether a listen address is reachable only from this host. Anything else (0.0.0.0, ::, a LAN
// address, a host name other than localhost) may be reachable from the network.
import { isIPv4, isIPv6 } from "node:net"

export const isLoopbackHost = (host: string): boolean => {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1")
  if (h === "localhost") return true
  if (isIPv4(h)) return h.startsWith("127.")
  if (isIPv6(h)) {
    const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1]
    if (mapped !== undefined) return mapped.startsWith("127.")
    // ::1 in any spelling: all groups zero but the last, which is 1
    const expanded = h.includes("::") ? h.replace("::", `:${"0:".repeat(8 - h.split(":").filter((g) => g !== "").length)}`) : h
    const groups = expanded.split(":").filter((g) => g !== "")
    return groups.length === 8 && groups.slice(0, 7).every((g) => /^0+$/.test(g)) && /^0*1$/.test(groups[7] ?? "")
  }
  return false
}
