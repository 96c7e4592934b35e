/**
 * The debug HTTP server (README.md "Debug server and API") on node:http: UI, JSON API, /metrics, health and the agent's
 * own /debug/pprof. Read-only: every request renders the AgentView as it is at that moment.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startHeapSampling } from '../pprof/index.js'
import { systemClock } from '../util/clock.js'
import { parseListenAddress } from './listen-address.js'
import { sendText } from './respond.js'
import { apiRoutes } from './routes/api.js'
import type { Route, RouteContext } from './routes/context.js'
import { RELOAD_PATH, healthRoutes, reload } from './routes/health.js'
import { metricsRoutes } from './routes/metrics.js'
import { PPROF_PREFIX, pprofRoute } from './routes/pprof.js'
import { uiRoutes } from './routes/ui.js'
import { profileRoutes } from './routes/profiles.js'
import { UI_ASSET_PREFIX, normalizeUiPrefix, uiRedirect } from './ui-prefix.js'
import { assetRoute } from './ui-assets.js'
import type { ServerOptions } from './view.js'

export interface RunningServer {
  readonly address: { readonly host: string; readonly port: number }
  /** Stops listening, ends open connections and any running CPU profile. */
  close(): Promise<void>
}

export class ServerListenError extends Error {
  readonly code = 'SERVER_LISTEN_FAILED'
  constructor(
    readonly listen: string,
    reason: string
  ) {
    super(`cannot listen on ${listen}: ${reason}`)
    this.name = 'ServerListenError'
  }
}

const ROUTES: ReadonlyMap<string, Route> = new Map(
  Object.entries({ ...uiRoutes, ...profileRoutes, ...apiRoutes, ...metricsRoutes, ...healthRoutes })
)

const LISTEN_ERROR_REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine'
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const parsed = parseListenAddress(opts.listen)
  if (!parsed.ok) throw new ServerListenError(opts.listen, parsed.error)
  const closing = new AbortController()
  const ctx: RouteContext = {
    view: opts.view,
    metrics: opts.metrics,
    logger: opts.logger,
    clock: opts.clock ?? systemClock,
    closing: closing.signal,
    uiPrefix: normalizeUiPrefix(opts.uiPathPrefix)
  }
  const server = createServer((req, res) => {
    handle(req, res, ctx).catch((err: unknown) => {
      // Never an unhandled rejection: one bad request must not take the agent down.
      ctx.logger.error({ err }, 'debug server request failed')
      if (!res.headersSent) sendText(res, 500, 'internal error')
      else res.destroy()
    })
  })

  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException): void => {
      reject(new ServerListenError(opts.listen, LISTEN_ERROR_REASONS[err.code ?? ''] ?? err.message))
    }
    server.once('error', onListenError)
    server.listen({ host: parsed.address.host, port: parsed.address.port }, () => {
      server.off('error', onListenError)
      resolve()
    })
  })
  server.on('error', (err) => opts.logger.error({ err }, 'debug server error'))

  // Heap sampling from the start, so that /debug/pprof/heap covers the process's life, as Go's does.
  startHeapSampling().catch((err: unknown) => opts.logger.warn({ err }, 'heap sampling unavailable'))

  const info = server.address() as AddressInfo
  const address = { host: info.address, port: info.port }
  opts.logger.info({ address: `${address.host}:${address.port}` }, 'debug server listening')

  return {
    address,
    close: async () => {
      closing.abort()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    }
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://debug.invalid')
  } catch {
    sendText(res, 400, 'bad request target')
    return
  }
  if (url.pathname === RELOAD_PATH) {
    await reload(req, res, ctx)
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD')
    sendText(res, 405, `method ${req.method ?? ''} not allowed`)
    return
  }
  if (url.pathname === PPROF_PREFIX.slice(0, -1)) {
    // As Go's mux does for a subtree pattern.
    res.writeHead(301, { Location: PPROF_PREFIX })
    res.end()
    return
  }
  const ui = uiRedirect(url.pathname, ctx.uiPrefix ?? '/')
  if (ui !== undefined && 'location' in ui) {
    res.writeHead(302, { Location: ui.location })
    res.end()
    return
  }
  const path = ui === undefined ? url.pathname : 'path' in ui ? ui.path : undefined
  const route = path === undefined ? undefined : path.startsWith(PPROF_PREFIX) ? pprofRoute : path.startsWith(UI_ASSET_PREFIX) ? assetRoute : ROUTES.get(path)
  if (route === undefined) {
    sendText(res, 404, `not found: ${url.pathname}`)
    return
  }
  try {
    await route(req, res, url, ctx)
  } catch (err) {
    ctx.logger.error({ err, path: url.pathname }, 'debug server request failed')
    if (res.headersSent) res.destroy()
    else sendText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`)
  }
}
