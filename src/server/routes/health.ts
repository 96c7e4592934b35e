/** Liveness and readiness, as Alloy's /-/healthy and /-/ready: plain text, 200 or 503. */
import { sendText } from '../respond.js'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Route, RouteContext } from './context.js'

const healthy: Route = (_req, res, _url, ctx) => {
  if (ctx.view.healthy()) {
    sendText(res, 200, 'shardscope is healthy.')
    return
  }
  // Name the culprits, as Alloy does, so a failing probe says what to look at.
  const unhealthy = ctx.view
    .components()
    .filter((c) => c.health === 'unhealthy')
    .map((c) => c.id)
  const detail = unhealthy.length > 0 ? ` unhealthy components: ${unhealthy.join(', ')}` : ''
  sendText(res, 503, `shardscope is unhealthy.${detail}`)
}

const ready: Route = (_req, res, _url, ctx) => {
  if (ctx.view.ready()) sendText(res, 200, 'shardscope is ready.')
  else sendText(res, 503, 'shardscope is not ready.')
}

export const RELOAD_PATH = '/-/reload'

/** `POST /-/reload`: 200 with a summary, or 400 with the positioned errors (the running config stays). */
export async function reload(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST')
    sendText(res, 405, 'use POST to reload the config')
    return
  }
  req.resume()
  if (!ctx.view.reload) {
    sendText(res, 404, 'reload is not available here')
    return
  }
  const outcome = await ctx.view.reload()
  sendText(res, outcome.ok ? 200 : 400, outcome.message)
}

export const healthRoutes: Readonly<Record<string, Route>> = {
  '/-/healthy': healthy,
  '/-/ready': ready
}
