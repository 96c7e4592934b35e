/**
 * The profiles page (`/profiles`): the last profile of every scrape loop (kept in memory, bounded), each
 * with a flame graph and a download, and the embedded receivers whose stored profiles can be listed.
 */
import type { LatestProfileView } from '../view.js'
import { formatBytes, relativeTime } from './format.js'
import { html } from './html.js'
import type { SafeHtml } from './html.js'
import { page } from './layout.js'
import { downloadHref, flameHref, storedListHref } from './profile-links.js'

export interface ProfilesPageInput {
  readonly latest: readonly LatestProfileView[]
  readonly stores: readonly string[]
  readonly nowMs: number
}

export function renderProfilesPage(input: ProfilesPageInput): string {
  const rows = [...input.latest].sort((a, b) => compare(a.component, b.component) || compare(a.url, b.url))
  const body = html`
<h2>Stored profiles</h2>
${input.stores.length === 0
    ? html`<p class="muted" id="stores">No pyroscope.receive_http component stores profiles (set its <code>storage_path</code>).</p>`
    : html`<ul id="stores">${input.stores.map((id) => html`<li><a href="${storedListHref(id)}"><code>${id}</code></a></li>`)}</ul>`}
<h2>Latest profile of each target</h2>
<p class="muted">The last profile each scrape got, as scraped; kept in memory within a bound (see the docs), so a profile may be missing.</p>
<table id="latest">
<thead><tr><th>Target</th><th>Profile type</th><th>Scraped</th><th>Size</th><th>Labels</th><th></th></tr></thead>
<tbody>${rows.map((p) => latestRow(p, input.nowMs))}</tbody>
</table>
${rows.length === 0 ? html`<p class="muted">No profile yet: profiles appear after the first successful scrape.</p>` : ''}`
  return page('profiles', 'Profiles', body)
}

function latestRow(p: LatestProfileView, nowMs: number): SafeHtml {
  const ref = { source: 'latest' as const, component: p.component, id: p.id }
  return html`<tr>
<td><code>${p.url}</code><div class="muted">${p.component} · job ${p.job}</div></td>
<td>${p.profile_type}</td>
<td><time datetime="${p.time}" title="${p.time}">${relativeTime(p.time, nowMs)}</time></td>
<td>${formatBytes(p.bytes)}</td>
<td>${Object.entries(p.labels).filter(([k]) => !k.startsWith('__')).map(([k, v]) => html`<span class="label">${k}=${v}</span>`)}</td>
<td>${p.not_kept !== undefined ? html`<span class="hint">${p.not_kept}</span>` : html`<a href="${flameHref(ref)}">flame graph</a> · <a href="${downloadHref(ref)}">download</a>`}</td>
</tr>`
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
