/**
 * The components page (`/components`): id, type, health and, folded, the arguments and debug info as
 * JSON. Arguments are already secret-safe (Secret serializes as "(secret)"); JSON.stringify keeps it so.
 */
import type { ComponentView } from '../view.js'
import { html } from './html.js'
import { healthBadge, page } from './layout.js'

export function renderComponentsPage(components: readonly ComponentView[]): string {
  const body = html`
<table id="components">
<thead><tr><th>Component</th><th>Type</th><th>Health</th><th>Message</th><th>Arguments</th><th>Debug info</th></tr></thead>
<tbody>${components.map(
    (c) => html`<tr>
<td><code>${c.id}</code></td><td>${c.type}</td><td>${healthBadge(c.health)}</td><td>${c.health_message}</td>
<td><details><summary>arguments</summary><pre>${prettyJson(c.arguments)}</pre></details></td>
<td>${c.debug === null || c.debug === undefined ? html`<span class="muted">none</span>` : html`<details><summary>debug</summary><pre>${prettyJson(c.debug)}</pre></details>`}</td>
</tr>`
  )}</tbody>
</table>
${components.length === 0 ? html`<p class="muted">No components.</p>` : ''}`
  return page('components', 'Components', body)
}

function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null'
}
