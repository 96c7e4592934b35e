/**
 * The components page (`/components`): one row per component with its health, message and dependencies in
 * both directions; each id links to its component page, where the arguments are shown in Alloy syntax.
 */
import type { ComponentView } from '../view.js'
import { html } from './html.js'
import type { SafeHtml } from './html.js'
import { healthBadge, page } from './layout.js'

export function componentHref(id: string): string {
  return `/component?${new URLSearchParams({ id }).toString()}`
}

export function componentLinks(ids: readonly string[] | undefined): SafeHtml {
  if (ids === undefined || ids.length === 0) return html`<span class="muted">none</span>`
  return html`${ids.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="${componentHref(id)}"><code>${id}</code></a>`)}`
}

export function renderComponentsPage(components: readonly ComponentView[]): string {
  const body = html`
<p><a href="/graph">Show the component graph</a></p>
<table id="components">
<thead><tr><th>Component</th><th>Type</th><th>Health</th><th>Message</th><th>References</th><th>Referenced by</th></tr></thead>
<tbody>${components.map(
    (c) => html`<tr>
<td><a href="${componentHref(c.id)}"><code>${c.id}</code></a></td><td>${c.type}</td><td>${healthBadge(c.health)}</td><td>${c.health_message}</td>
<td>${componentLinks(c.references)}</td><td>${componentLinks(c.referenced_by)}</td>
</tr>`
  )}</tbody>
</table>
${components.length === 0 ? html`<p class="muted">No components.</p>` : ''}`
  return page('components', 'Components', body)
}
