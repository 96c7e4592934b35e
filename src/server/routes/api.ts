/**
 * The JSON API (README.md "Debug server and API"). Shapes:
 * - GET /api/v1/components → ComponentView[] (with `references` and `referenced_by`: dependencies both ways)
 * - GET /api/v1/targets    → { "total": N, "targets": TargetView[] } (each with `id`, its scrape loop)
 *     filters ?component= ?job= ?health=up|down|unknown ?q= (substring of url, labels, last error);
 *     paging ?offset= ?limit= (no limit by default); `total` counts the matches before paging;
 *     targets are ordered by component, url, profile_type. A bad parameter answers 400 { "error": "..." }.
 * - GET /api/v1/cluster    → ClusterViewData (src/cluster/view.ts)
 * Profiles (latest and stored) are served by profiles.ts.
 */
import { sendJson } from '../respond.js'
import { parseTargetQuery, queryTargets } from '../target-query.js'
import type { Route } from './context.js'

const components: Route = (_req, res, _url, ctx) => {
  sendJson(res, 200, ctx.view.components())
}

const targets: Route = (_req, res, url, ctx) => {
  const parsed = parseTargetQuery(url.searchParams)
  if (!parsed.ok) {
    sendJson(res, 400, { error: parsed.error })
    return
  }
  const page = queryTargets(ctx.view.targets(), parsed.query)
  sendJson(res, 200, { total: page.total, targets: page.targets })
}

const cluster: Route = (_req, res, _url, ctx) => {
  sendJson(res, 200, ctx.view.cluster())
}

export const apiRoutes: Readonly<Record<string, Route>> = {
  '/api/v1/components': components,
  '/api/v1/targets': targets,
  '/api/v1/cluster': cluster
}
