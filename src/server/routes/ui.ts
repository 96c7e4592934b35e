/** The server-rendered UI pages: `/` (targets), `/components`, `/component`, `/graph`, `/cluster`. */
import { sendHtml, sendText } from '../respond.js'
import { prefixUiLinks } from '../ui-prefix.js'
import { isTargetHealth, queryTargets } from '../target-query.js'
import type { TargetQuery } from '../target-query.js'
import { renderClusterPage } from '../ui/cluster-page.js'
import { renderComponentPage } from '../ui/component-page.js'
import { renderComponentsPage } from '../ui/components-page.js'
import { renderGraphPage } from '../ui/graph-page.js'
import { TARGETS_PAGE_SIZE, renderTargetsPage } from '../ui/targets-page.js'
import { groupTargets } from '../ui/target-groups.js'
import type { Route } from './context.js'

const targets: Route = (_req, res, url, ctx) => {
  const pageNumber = readPageNumber(url.searchParams.get('page'))
  const query = uiTargetQuery(url.searchParams, pageNumber)
  const all = ctx.view.targets()
  // Filters apply per profile type; paging per target, so a target's types never split across pages.
  const { offset, limit, ...filters } = query
  const groups = groupTargets(queryTargets(all, { ...filters, offset: 0 }).targets)
  const html = renderTargetsPage({
    all,
    shown: { total: groups.length, groups: groups.slice(offset, limit === undefined ? undefined : offset + limit) },
    query,
    pageNumber,
    cluster: ctx.view.cluster(),
    nowMs: ctx.clock.now(),
    hasLatest: latestLookup(ctx.view.latestProfiles?.() ?? [])
  })
  sendHtml(res, 200, prefixUiLinks(html, ctx.uiPrefix ?? '/'))
}

function latestLookup(latest: readonly { readonly component: string; readonly id: string }[]): (component: string, id: string) => boolean {
  const kept = new Set(latest.map((p) => `${p.component}\u0000${p.id}`))
  return (component, id) => kept.has(`${component}\u0000${id}`)
}

/** The UI is forgiving where the API answers 400: an unknown health or page just shows everything / page 1. */
export function uiTargetQuery(params: URLSearchParams, pageNumber: number): TargetQuery {
  const q = params.get('q')?.trim()
  const health = params.get('health') ?? ''
  const component = params.get('component')
  return {
    offset: (pageNumber - 1) * TARGETS_PAGE_SIZE,
    limit: TARGETS_PAGE_SIZE,
    ...(q ? { q } : {}),
    ...(isTargetHealth(health) ? { health } : {}),
    ...(component ? { component } : {})
  }
}

function readPageNumber(raw: string | null): number {
  const n = raw !== null && /^\d{1,7}$/.test(raw) ? Number(raw) : 1
  return Math.max(1, n)
}

const components: Route = (_req, res, _url, ctx) => {
  sendHtml(res, 200, prefixUiLinks(renderComponentsPage(ctx.view.components()), ctx.uiPrefix ?? '/'))
}

const component: Route = (_req, res, url, ctx) => {
  const id = url.searchParams.get('id') ?? ''
  const detail = ctx.view.componentDetail?.(id)
  if (detail === undefined) {
    sendText(res, 404, `no component ${JSON.stringify(id)} (see /components)`)
    return
  }
  sendHtml(res, 200, prefixUiLinks(renderComponentPage(detail), ctx.uiPrefix ?? '/'))
}

const graph: Route = (_req, res, _url, ctx) => {
  sendHtml(res, 200, prefixUiLinks(renderGraphPage(ctx.view.components()), ctx.uiPrefix ?? '/'))
}

const cluster: Route = (_req, res, _url, ctx) => {
  sendHtml(res, 200, prefixUiLinks(renderClusterPage(ctx.view.cluster(), ctx.clock.now()), ctx.uiPrefix ?? '/'))
}

export const uiRoutes: Readonly<Record<string, Route>> = {
  '/': targets,
  '/targets': targets,
  '/components': components,
  '/component': component,
  '/graph': graph,
  '/cluster': cluster
}
