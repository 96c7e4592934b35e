/**
 * The component graph (`/graph`) as inline SVG rendered here, so the page needs no script: each node links
 * to its component page and is outlined in its health's colour; arrows follow references (graph-layout.ts).
 */
import type { ComponentView } from '../view.js'
import { componentHref } from './components-page.js'
import { layoutGraph } from './graph-layout.js'
import { html } from './html.js'
import { page } from './layout.js'

export function renderGraphPage(components: readonly ComponentView[]): string {
  const layout = layoutGraph(components.map((c) => ({ id: c.id, health: c.health, references: c.references ?? [] })))
  const health = (h: string): string => (['healthy', 'unhealthy'].includes(h) ? h : 'unknown')
  const body = html`
<p class="muted">An arrow goes from a component to one whose exports it references (a scraper to the writer it forwards to). Click a component for its page.</p>
${components.length === 0
    ? html`<p class="muted">No components.</p>`
    : html`<svg class="graph" id="graph" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="component graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a8394"/></marker></defs>
${layout.edges.map((e) => html`<path class="edge" data-from="${e.from}" data-to="${e.to}" d="${e.path}" marker-end="url(#arrow)"/>`)}
${layout.nodes.map(
        (n) => html`<a href="${componentHref(n.id)}" class="node node-${health(n.health)}" data-id="${n.id}"><rect x="${n.x}" y="${n.y}" width="${layout.nodeWidth}" height="${layout.nodeHeight}" rx="6"/><text x="${n.x + 12}" y="${n.y + 18}">${n.id}</text><text x="${n.x + 12}" y="${n.y + 35}" fill="#6b7280">${n.health}</text></a>`
      )}
</svg>`}`
  return page('graph', 'Component graph', body)
}
