/**
 * The targets page (`/`): filter form, summary, one table row per target with its profile types as chips
 * (each with its own health), and a pager. Paging is server-side (100 targets a page) so that 10,000
 * targets stay a light page. Every value from a target is escaped by the `html` template.
 */
import type { TargetQuery } from '../target-query.js'
import { groupTargets } from './target-groups.js'
import type { TargetGroup } from './target-groups.js'
import type { ClusterViewData } from '../../cluster/index.js'
import type { TargetHealth, TargetView } from '../view.js'
import { clusterPanel } from './cluster-page.js'
import { formatSeconds, relativeTime } from './format.js'
import { html } from './html.js'
import type { SafeHtml } from './html.js'
import { healthBadge, page } from './layout.js'
import { flameHref } from './profile-links.js'

export const TARGETS_PAGE_SIZE = 100

export interface TargetsPageInput {
  /** Every target, for the summary counts. */
  readonly all: readonly TargetView[]
  /** The filtered page of targets to show, and how many targets match in all. */
  readonly shown: { readonly total: number; readonly groups: readonly TargetGroup[] }
  readonly query: TargetQuery
  /** 1-based. */
  readonly pageNumber: number
  readonly cluster: ClusterViewData
  readonly nowMs: number
  /** Whether a latest profile is kept for a scrape loop (a cumulative type keeps none after its first scrape). */
  readonly hasLatest: (component: string, id: string) => boolean
}

export function renderTargetsPage(input: TargetsPageInput): string {
  const { shown, query, pageNumber } = input
  const first = shown.groups.length === 0 ? 0 : query.offset + 1
  const last = query.offset + shown.groups.length
  const body = html`
<div>${clusterPanel(input.cluster)}${summaryPanel(input.all)}</div>
${filterForm(query)}
<p class="muted" id="showing">Showing ${first}–${last} of ${shown.total} targets</p>
<table id="targets">
<thead><tr><th>Target</th><th>Health</th><th>Profile types</th><th class="errors">Last error</th><th>Last scrape</th><th>Last success</th><th>Labels</th></tr></thead>
<tbody>${shown.groups.map((g) => targetRow(g, input.nowMs, input.hasLatest))}</tbody>
</table>
${shown.total === 0 ? html`<p class="muted">No targets match.</p>` : ''}
${pager(query, pageNumber, shown.total)}`
  return page('targets', 'Targets', body)
}

function targetRow(g: TargetGroup, nowMs: number, hasLatest: TargetsPageInput['hasLatest']): SafeHtml {
  const failing = g.types.filter((t) => t.last_error !== '')
  const latest = (pick: (t: TargetView) => string | null): string | null =>
    g.types.map(pick).reduce<string | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null)
  return html`<tr>
<td><code class="origin">${g.origin}</code><div class="muted">${g.component} · job ${g.job}</div></td>
<td>${healthBadge(g.health)}</td>
<td>${g.types.map((t) => chip(t, nowMs, hasLatest))}</td>
<td class="error">${failing.map((t) => html`<div><strong>${t.profile_type}</strong>: ${t.last_error}</div>`)}${g.types
    .filter((t) => t.last_error === '' && (t.hint ?? '') !== '')
    .map((t) => html`<div class="hint"><strong>${t.profile_type}</strong>: ${t.hint ?? ''}</div>`)}</td>
<td>${timeCell(latest((t) => t.last_scrape), nowMs)}</td>
<td>${timeCell(latest((t) => t.last_success), nowMs)}</td>
<td>${Object.entries(g.labels).map(([k, v]) => html`<span class="label">${k}=${v}</span>`)}</td>
</tr>`
}

/** A profile type with its own health colour; the tooltip has its URL, last scrape and duration. */
function chip(t: TargetView, nowMs: number, hasLatest: TargetsPageInput['hasLatest']): SafeHtml {
  const known = ['up', 'down', 'unknown'].includes(t.health) ? t.health : 'unknown'
  const when = t.last_scrape === null ? 'never scraped' : `last scrape ${relativeTime(t.last_scrape, nowMs)}`
  const took = t.duration_seconds !== null ? ` in ${formatSeconds(t.duration_seconds)}` : ''
  const empty = (t.hint ?? '') !== '' && t.last_error === ''
  const chipHtml = html`<span class="chip health-${known}${empty ? ' empty' : ''}" title="${t.url} · ${t.health} · ${when}${took}${empty ? ` · ${t.hint ?? ''}` : ''}">${t.profile_type}${empty ? ' (empty)' : ''}</span>`
  // A type with a latest profile links to its flame graph.
  if (t.id === undefined || t.last_success === null || !hasLatest(t.component, t.id)) return chipHtml
  return html`<a class="chip-link" href="${flameHref({ source: 'latest', component: t.component, id: t.id })}">${chipHtml}</a>`
}

function timeCell(iso: string | null, nowMs: number): SafeHtml {
  if (iso === null) return html`<span class="muted">never</span>`
  return html`<time datetime="${iso}" title="${iso}">${relativeTime(iso, nowMs)}</time>`
}

function summaryPanel(all: readonly TargetView[]): SafeHtml {
  const count = (h: TargetHealth): number => all.filter((t) => t.health === h).length
  return html`<section class="panel" id="target-summary"><strong>Targets</strong>: ${groupTargets(all).length} · profile types: ${all.length} ·
${healthBadge('up')} ${count('up')} ${healthBadge('down')} ${count('down')} ${healthBadge('unknown')} ${count('unknown')}</section>`
}

function filterForm(query: TargetQuery): SafeHtml {
  const option = (value: string, label: string): SafeHtml =>
    html`<option value="${value}"${(query.health ?? '') === value ? html` selected` : ''}>${label}</option>`
  return html`<form class="filter" method="get" action="/">
<input type="search" name="q" value="${query.q ?? ''}" placeholder="filter by URL, label or error" aria-label="filter">
<select name="health" aria-label="health">${option('', 'any health')}${option('up', 'up')}${option('down', 'down')}${option('unknown', 'unknown')}</select>
${query.component !== undefined ? html`<input type="hidden" name="component" value="${query.component}">` : ''}
<button type="submit">Filter</button> <a href="/">clear</a>
</form>`
}

function pager(query: TargetQuery, pageNumber: number, total: number): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / TARGETS_PAGE_SIZE))
  if (pages === 1) return html``
  const link = (n: number, text: string): SafeHtml => html`<a href="${pageHref(query, n)}">${text}</a>`
  return html`<nav class="pager" aria-label="pages">
${pageNumber > 1 ? link(pageNumber - 1, '← previous') : ''}
<span>page ${pageNumber} of ${pages}</span>
${pageNumber < pages ? link(pageNumber + 1, 'next →') : ''}
</nav>`
}

/** The link to another page keeps the filters. */
export function pageHref(query: TargetQuery, pageNumber: number): string {
  const params = new URLSearchParams()
  if (query.q !== undefined) params.set('q', query.q)
  if (query.health !== undefined) params.set('health', query.health)
  if (query.component !== undefined) params.set('component', query.component)
  params.set('page', String(pageNumber))
  return `/?${params.toString()}`
}
