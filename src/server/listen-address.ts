/** Parses Go-style listen addresses ("127.0.0.1:12345", "[::1]:0", ":12345"), as the flag takes them. */
import { parseHostPort } from '../util/host-port.js'

export interface ListenAddress {
  /** undefined: every interface, as Go reads an empty host. */
  readonly host: string | undefined
  readonly port: number
}

export function parseListenAddress(text: string): { ok: true; address: ListenAddress } | { ok: false; error: string } {
  const parsed = parseHostPort(text, { emptyHost: true, ipv6Zone: true })
  if (!parsed.ok) return { ok: false, error: `invalid listen address ${JSON.stringify(text)}: want host:port` }
  return { ok: true, address: { host: parsed.host === '' ? undefined : parsed.host, port: parsed.port } }
}
