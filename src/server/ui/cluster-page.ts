/** The cluster page (`/cluster`) and the small cluster panel the targets page shows. */
import type { ClusterViewData } from '../../cluster/index.js'
import { relativeTime } from './format.js'
import { html } from './html.js'
import type { SafeHtml } from './html.js'
import { page } from './layout.js'

export function clusterPanel(cluster: ClusterViewData): SafeHtml {
  if (!cluster.enabled) {
    return html`<section class="panel" id="cluster-panel"><strong>Cluster</strong>: clustering disabled</section>`
  }
  const self = cluster.self
  return html`<section class="panel" id="cluster-panel"><strong>Cluster</strong>: ${cluster.peers.length} peers ·
this node: ${self !== null ? html`<code>${self.name}</code> (${self.state})` : html`<span class="muted">unknown</span>`}
· <a href="/cluster">details</a></section>`
}

export function renderClusterPage(cluster: ClusterViewData, nowMs: number): string {
  if (!cluster.enabled) {
    return page('cluster', 'Cluster', html`<p id="cluster-disabled">clustering disabled</p>`)
  }
  const self = cluster.self
  const peers = [...cluster.peers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const ownership = Object.entries(cluster.ownership).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const owned = ownership.reduce((sum, [, n]) => sum + n, 0)
  const body = html`
<section class="panel" id="cluster-self"><strong>This node</strong>:
${self !== null ? html`<code>${self.name}</code> · ${self.state} · ${self.address} · <code>${self.peer_id}</code>` : 'unknown'}
· view version ${cluster.view_version}</section>
${cluster.protocol === undefined ? '' : html`<section class="panel" id="cluster-protocol"><strong>Membership protocol</strong>: ${Object.entries(cluster.protocol).map(([k, v]) => html`<span class="chip">${k} ${v}</span> `)}</section>`}
<h2>Peers (${peers.length})</h2>
<table id="peers">
<thead><tr><th>Name</th><th>Status</th><th>Role</th><th>Incarnation</th><th>Changed</th><th>Address</th><th>Peer id</th></tr></thead>
<tbody>${peers.map(
    (p) => html`<tr><td>${p.name}</td><td class="status-${p.status ?? 'alive'}">${p.status ?? 'alive'}</td><td>${p.state}</td><td>${p.incarnation ?? ''}</td><td>${p.last_seen === null ? html`<span class="muted">never</span>` : html`<time datetime="${p.last_seen}" title="${p.last_seen}">${relativeTime(p.last_seen, nowMs)}</time>`}</td><td>${p.address}</td><td><code>${p.peer_id}</code></td></tr>`
  )}</tbody>
</table>
<h2>Ring ownership</h2>
<table id="ownership">
<thead><tr><th>Member</th><th>Targets owned</th><th>Share</th></tr></thead>
<tbody>${ownership.map(
    ([name, n]) => html`<tr><td>${name}</td><td>${n}</td><td>${owned > 0 ? `${((100 * n) / owned).toFixed(1)}%` : ''}</td></tr>`
  )}</tbody>
</table>`
  return page('cluster', 'Cluster', body)
}
