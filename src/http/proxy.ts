/**
 * Which proxy a request goes through, with Prometheus' rules (common/config `ProxyConfig.Proxy`):
 * - `proxy_url` alone: every request uses it (Go's `http.ProxyURL`), loopback included.
 * - `proxy_url` + `no_proxy`, or `proxy_from_environment`: Go's `httpproxy` rules. http targets use the
 *   http proxy, https targets the https proxy (no fall-back from one to the other), and a target is sent
 *   directly when it is `localhost`, a loopback IP, or matches a `no_proxy` entry: `*`, an IP (optionally
 *   with a port), a CIDR, or a domain (`example.com` also matches its subdomains, `.example.com` only them).
 * Pure: the environment is passed in, never read from `process.env`.
 */
import { BlockList, isIP } from 'node:net'
import type { IncomingHttpHeaders } from 'node:http'
import type { ProxyConfig } from './types.js'

export type Env = Readonly<Record<string, string | undefined>>

export interface ProxyRoute {
  readonly httpProxy: string | undefined
  readonly httpsProxy: string | undefined
  /** undefined: no exclusions at all (not even loopback), as with a bare `proxy_url`. */
  readonly noProxy: NoProxy | undefined
  /** `proxy_connect_header`: sent on CONNECT only; several values become several header lines, as Go's http.Header. */
  readonly connectHeaders: IncomingHttpHeaders
}

interface IpRule {
  readonly ips: BlockList
  readonly port: string
}

interface DomainRule {
  /** Always starts with a dot. */
  readonly suffix: string
  readonly port: string
  /** Whether the bare domain (without a subdomain) matches too. */
  readonly matchHost: boolean
}

export interface NoProxy {
  readonly all: boolean
  readonly ipRules: readonly IpRule[]
  readonly cidrs: BlockList
  readonly domainRules: readonly DomainRule[]
}

/** The route for a client, or undefined when requests always go directly. */
export function resolveProxyRoute(config: ProxyConfig, env: Env): ProxyRoute | undefined {
  const connectHeaders = revealConnectHeaders(config)
  if (config.proxy_from_environment) {
    const httpProxy = normaliseProxyUrl(envAny(env, 'HTTP_PROXY', 'http_proxy'))
    const httpsProxy = normaliseProxyUrl(envAny(env, 'HTTPS_PROXY', 'https_proxy'))
    if (httpProxy === undefined && httpsProxy === undefined) return undefined
    return { httpProxy, httpsProxy, noProxy: parseNoProxy(envAny(env, 'NO_PROXY', 'no_proxy') ?? ''), connectHeaders }
  }
  const proxyUrl = normaliseProxyUrl(config.proxy_url)
  if (proxyUrl === undefined) return undefined
  const noProxy = config.no_proxy ? parseNoProxy(config.no_proxy) : undefined
  return { httpProxy: proxyUrl, httpsProxy: proxyUrl, noProxy, connectHeaders }
}

/** The proxy URL for a request URL, or undefined to connect directly. */
export function proxyForUrl(route: ProxyRoute, url: URL): string | undefined {
  const proxy = url.protocol === 'https:' ? route.httpsProxy : url.protocol === 'http:' ? route.httpProxy : undefined
  if (proxy === undefined) return undefined
  if (route.noProxy === undefined) return proxy
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return shouldBypass(route.noProxy, hostOf(url), port) ? undefined : proxy
}

export function parseNoProxy(value: string): NoProxy {
  const ipRules: IpRule[] = []
  const domainRules: DomainRule[] = []
  const cidrs = new BlockList()
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return { all: true, ipRules: [], cidrs: new BlockList(), domainRules: [] }
    if (addCidr(cidrs, entry)) continue
    const { host, port } = splitHostPort(entry)
    if (host === '') continue
    const family = ipFamily(host)
    if (family !== undefined) {
      const ips = new BlockList()
      ips.addAddress(host, family)
      ipRules.push({ ips, port })
      continue
    }
    const bare = host.startsWith('*.') ? host.slice(1) : host
    const matchHost = !bare.startsWith('.')
    domainRules.push({ suffix: matchHost ? `.${bare}` : bare, port, matchHost })
  }
  return { all: false, ipRules, cidrs, domainRules }
}

/** Go `httpproxy.config.useProxy`, negated. `host` is lower case, without brackets. */
export function shouldBypass(noProxy: NoProxy, host: string, port: string): boolean {
  if (host === 'localhost') return true
  const family = ipFamily(host)
  if (family !== undefined && LOOPBACK.check(host, family)) return true
  if (noProxy.all) return true
  if (family !== undefined) {
    if (noProxy.cidrs.check(host, family)) return true
    if (noProxy.ipRules.some((r) => r.ips.check(host, family) && (r.port === '' || r.port === port))) return true
  }
  return noProxy.domainRules.some(
    (r) => (host.endsWith(r.suffix) || (r.matchHost && host === r.suffix.slice(1))) && (r.port === '' || r.port === port)
  )
}

const LOOPBACK = (() => {
  const list = new BlockList()
  list.addSubnet('127.0.0.0', 8, 'ipv4')
  list.addAddress('::1', 'ipv6')
  return list
})()

function ipFamily(host: string): 'ipv4' | 'ipv6' | undefined {
  const kind = isIP(host)
  return kind === 4 ? 'ipv4' : kind === 6 ? 'ipv6' : undefined
}

function addCidr(list: BlockList, entry: string): boolean {
  const slash = entry.indexOf('/')
  if (slash === -1) return false
  const network = entry.slice(0, slash)
  const prefixText = entry.slice(slash + 1)
  const family = ipFamily(network)
  const prefix = Number(prefixText)
  const max = family === 'ipv4' ? 32 : 128
  if (family === undefined || !/^\d+$/.test(prefixText) || prefix > max) return false
  list.addSubnet(network, prefix, family)
  return true
}

/** `host:port`, `[v6]:port`, `host` or a bare IPv6 address. */
function splitHostPort(entry: string): { host: string; port: string } {
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(entry)
  if (bracketed) return { host: bracketed[1] ?? '', port: bracketed[2] ?? '' }
  const withPort = /^([^:]*):(\d+)$/.exec(entry)
  if (withPort) return { host: withPort[1] ?? '', port: withPort[2] ?? '' }
  return { host: entry, port: '' }
}

function hostOf(url: URL): string {
  const host = url.hostname.toLowerCase()
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** Go's first non-empty of several variable names. */
function envAny(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]
    if (value !== undefined && value !== '') return value
  }
  return undefined
}

/** `proxy.local:3128` means `http://proxy.local:3128`, as in Go's httpproxy. */
function normaliseProxyUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const trimmed = value.trim()
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`
}

function revealConnectHeaders(config: ProxyConfig): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {}
  for (const [name, values] of Object.entries(config.proxy_connect_header ?? {})) {
    const revealed = values.map((v) => v.reveal())
    if (revealed.length === 1) headers[name.toLowerCase()] = revealed[0]
    else if (revealed.length > 1) headers[name.toLowerCase()] = revealed
  }
  return headers
}
