/**
 * A component's page (`/component?id=…`), as Alloy's: health with its message, the arguments and exports in
 * Alloy syntax (secrets as `(secret)`, rendered by the agent), the components it references and those that
 * reference it, and its debug info. Links lead to what the component feeds the UI: its targets, its stored
 * profiles.
 */
import type { ComponentDetail } from '../view.js'
import { componentLinks } from './components-page.js'
import { html } from './html.js'
import type { SafeHtml } from './html.js'
import { healthBadge, page } from './layout.js'

export function renderComponentPage(detail: ComponentDetail): string {
  const c = detail.component
  const body = html`
<section class="panel" id="component-health"><strong>Health</strong>: ${healthBadge(c.health)} <span id="health-message">${c.health_message === '' ? html`<span class="muted">no message</span>` : c.health_message}</span></section>
<section class="panel"><strong>Type</strong>: <code>${c.type}</code>${related(c.id, c.type, c.debug)}</section>
<h2>Arguments</h2>
${detail.arguments_alloy === '' ? html`<p class="muted">No arguments set.</p>` : html`<pre class="alloy" id="arguments">${detail.arguments_alloy}</pre>`}
<h2>Exports</h2>
${detail.exports_alloy === '' ? html`<p class="muted" id="exports">This component exports nothing.</p>` : html`<pre class="alloy" id="exports">${detail.exports_alloy}</pre>`}
<h2>Dependencies</h2>
<dl class="deps" id="dependencies">
<dt>References</dt><dd id="references">${componentLinks(c.references)}</dd>
<dt>Referenced by</dt><dd id="referenced-by">${componentLinks(c.referenced_by)}</dd>
</dl>
<h2>Debug info</h2>
${c.debug === null || c.debug === undefined ? html`<p class="muted">none</p>` : html`<pre class="alloy" id="debug">${JSON.stringify(c.debug, null, 2) ?? 'null'}</pre>`}`
  return page('components', c.id, body)
}

/** Links to the pages that show what this component produces. */
function related(id: string, type: string, debug: unknown): SafeHtml {
  const query = (params: Record<string, string>): string => new URLSearchParams(params).toString()
  if (type === 'pyroscope.scrape') return html` · <a href="/?${query({ component: id })}">its targets</a>`
  const stored = typeof debug === 'object' && debug !== null && typeof (debug as { storage_path?: unknown }).storage_path === 'string'
  if (type === 'pyroscope.receive_http' && stored) return html` · <a href="/stored?${query({ component: id })}">its stored profiles</a>`
  return html``
}
