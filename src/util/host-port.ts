/**
 * `host:port` as the flags take it: a name or IPv4 address, or an IPv6 address in brackets (`[::1]:4040`),
 * then a port from 0 to 65535 (0: the system picks a free one). Each caller words its own error message
 * around the reason given here (the flag it names, an example).
 */

export interface HostPort {
  readonly host: string
  readonly port: number
}

export interface HostPortRules {
  /** Accept an empty host (`:4040`), Go's way of saying every interface; it parses as host ''. */
  readonly emptyHost?: boolean
  /** Accept a zone after a bracketed IPv6 address (`[fe80::1%eth0]:80`), as a listening socket may. */
  readonly ipv6Zone?: boolean
}

export type HostPortResult = ({ readonly ok: true } & HostPort) | { readonly ok: false; readonly error: string }

export const MAX_PORT = 65535

/** A name or an IPv4 address: no whitespace, no ':' (IPv6 goes in brackets), no '/' or brackets. */
const NAME = /^[^\s:/[\]]+$/
const IPV6 = /^[0-9A-Fa-f:.]+$/
const IPV6_WITH_ZONE = /^[0-9A-Fa-f:.]+(?:%[^\s%[\]/]+)?$/

export function parseHostPort(text: string, rules: HostPortRules = {}): HostPortResult {
  const split = splitAtPort(text)
  if (!split.ok) return split
  const host = checkHost(split.host, split.bracketed, rules)
  if (host !== undefined) return { ok: false, error: host }
  if (!/^\d{1,5}$/.test(split.port)) return { ok: false, error: `the port ${JSON.stringify(split.port)} is not a number from 0 to ${MAX_PORT}` }
  const port = Number(split.port)
  if (port > MAX_PORT) return { ok: false, error: `the port ${port} is above ${MAX_PORT}` }
  return { ok: true, host: split.host, port }
}

/** A host alone (no port), in the grammar `parseHostPort` accepts: a name, an IPv4 address or a bracketed IPv6 address. */
export function isHost(text: string): boolean {
  const bracketed = /^\[(.*)\]$/.exec(text)
  return bracketed === null ? NAME.test(text) : IPV6.test(bracketed[1] ?? '')
}

type Split = { readonly ok: true; readonly host: string; readonly bracketed: boolean; readonly port: string } | { readonly ok: false; readonly error: string }

function splitAtPort(text: string): Split {
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0) return { ok: false, error: 'an IPv6 address has no closing bracket' }
    if (text[close + 1] !== ':') return { ok: false, error: 'there is no port after the IPv6 address' }
    return { ok: true, host: text.slice(1, close), bracketed: true, port: text.slice(close + 2) }
  }
  const colon = text.lastIndexOf(':')
  if (colon < 0) return { ok: false, error: 'there is no port' }
  return { ok: true, host: text.slice(0, colon), bracketed: false, port: text.slice(colon + 1) }
}

/** Why `host` is not acceptable, or undefined when it is. */
function checkHost(host: string, bracketed: boolean, rules: HostPortRules): string | undefined {
  if (bracketed) return (rules.ipv6Zone === true ? IPV6_WITH_ZONE : IPV6).test(host) ? undefined : `${JSON.stringify(host)} is not an IPv6 address`
  if (host === '') return rules.emptyHost === true ? undefined : 'the host is empty'
  if (host.includes(':')) return 'an IPv6 address must be in brackets, as [::1]:4040'
  return NAME.test(host) ? undefined : `the host ${JSON.stringify(host)} has whitespace, '/' or a bracket in it`
}
