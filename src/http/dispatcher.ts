/**
 * The undici Dispatcher behind one client: a direct Agent, plus ProxyAgents when a proxy is configured,
 * behind a small router that applies the `no_proxy` rules of proxy.ts per request.
 * undici's EnvHttpProxyAgent is not used: its NO_PROXY has no CIDRs and no loopback rule, it falls back
 * from HTTPS_PROXY to HTTP_PROXY and it tunnels plain http; Go does none of these.
 */
import { Agent, Dispatcher, ProxyAgent, buildConnector } from 'undici'
import type { Env, ProxyRoute } from './proxy.js'
import { proxyForUrl, resolveProxyRoute } from './proxy.js'
import type { TlsConnectOptions } from './tls.js'
import type { ProxyConfig } from './types.js'

export interface DispatcherSettings {
  readonly tls: TlsConnectOptions
  readonly proxy: ProxyConfig
  readonly env: Env
  /** `enable_http2`: offer h2 by ALPN on TLS connections. */
  readonly allowH2: boolean
}

export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  const direct = new Agent({ allowH2: settings.allowH2, connect: directConnector(settings.tls, settings.allowH2) })
  const route = resolveProxyRoute(settings.proxy, settings.env)
  if (route === undefined) return direct
  return new ProxyRouter(route, direct, (proxyUrl, scheme) => createProxyAgent(proxyUrl, scheme, route, settings))
}

/**
 * undici prefers the request's own host as the TLS server name over the connector's `servername`, so a
 * configured `server_name` is forced here to make it win for SNI and certificate verification alike.
 */
function directConnector(tls: TlsConnectOptions, allowH2: boolean): buildConnector.connector {
  const connect = buildConnector({ ...tls, allowH2 })
  const servername = tls.servername
  if (servername === undefined) return connect
  return (options, callback) => connect({ ...options, servername }, callback)
}

function createProxyAgent(proxyUrl: string, scheme: 'http' | 'https', route: ProxyRoute, settings: DispatcherSettings): Dispatcher {
  if (scheme === 'http') {
    // Plain http goes to the proxy as an absolute-form request, as Go does; CONNECT headers are not sent.
    return new ProxyAgent({ uri: proxyUrl, proxyTunnel: false })
  }
  return new ProxyAgent({
    uri: proxyUrl,
    headers: route.connectHeaders,
    allowH2: settings.allowH2,
    requestTls: { ...settings.tls, allowH2: settings.allowH2 }
  })
}

type ProxyAgentFactory = (proxyUrl: string, scheme: 'http' | 'https') => Dispatcher

/** Sends each request directly or through the proxy for its scheme; proxy agents are made on first use. */
class ProxyRouter extends Dispatcher {
  readonly #agents = new Map<string, Dispatcher>()
  readonly #route: ProxyRoute
  readonly #direct: Dispatcher
  readonly #makeProxyAgent: ProxyAgentFactory

  constructor(route: ProxyRoute, direct: Dispatcher, makeProxyAgent: ProxyAgentFactory) {
    super()
    this.#route = route
    this.#direct = direct
    this.#makeProxyAgent = makeProxyAgent
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#pick(new URL(String(options.origin))).dispatch(options, handler)
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.#direct, ...this.#agents.values()].map((d) => d.close())).then(() => undefined)
    if (callback === undefined) return done
    void done.then(callback, callback)
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null)
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback
    const done = Promise.all([this.#direct, ...this.#agents.values()].map((d) => d.destroy(err))).then(() => undefined)
    if (cb === undefined) return done
    void done.then(cb, cb)
  }

  #pick(url: URL): Dispatcher {
    const proxyUrl = proxyForUrl(this.#route, url)
    if (proxyUrl === undefined) return this.#direct
    const scheme = url.protocol === 'https:' ? 'https' : 'http'
    const key = `${scheme} ${proxyUrl}`
    let agent = this.#agents.get(key)
    if (agent === undefined) {
      agent = this.#makeProxyAgent(proxyUrl, scheme)
      this.#agents.set(key, agent)
    }
    return agent
  }
}
