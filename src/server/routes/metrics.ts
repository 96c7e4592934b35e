/** /metrics: the injected registry in the Prometheus text format; others register their metrics in it. */
import type { Route } from './context.js'

const metrics: Route = async (_req, res, _url, ctx) => {
  const body = await ctx.metrics.metrics()
  res.writeHead(200, { 'Content-Type': ctx.metrics.contentType, 'Cache-Control': 'no-store' })
  res.end(body)
}

export const metricsRoutes: Readonly<Record<string, Route>> = { '/metrics': metrics }
