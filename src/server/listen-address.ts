/** Parses Go-style listen addresses ("127.0.0.1:12345", "[::1]:0", ":12345"), as the flag takes them. */

export interface ListenAddress {
  /** undefined: every interface, as Go reads an empty host. */
  readonly host: string | undefined
  readonly port: number
}

export function parseListenAddress(text: string): { ok: true; address: ListenAddress } | { ok: false; error: string } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text)
  const port = Number(m?.[3])
  if (m === null || !Number.isInteger(port) || port > 65535) {
    return { ok: false, error: `invalid listen address ${JSON.stringify(text)}: want host:port` }
  }
  const host = m[1] ?? m[2] ?? ''
  return { ok: true, address: { host: host === '' ? undefined : host, port } }
}
