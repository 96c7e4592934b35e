/**
 * The flame graph page (`/flamegraph`): what the profile is (target or stored labels, time, size), a link per
 * sample type, a download link, the flame graph drawn in the browser by d3-flame-graph (served by this
 * server, ui-assets.ts) from the tree embedded as JSON, and a table of the functions with the most self
 * value, which needs no script. The only page that runs scripts (respond.ts, FLAME_PAGE_POLICY).
 */
import type { FlameNode, FlameTree } from '../../pprof/index.js'
import { ASSETS } from '../ui-assets.js'
import { formatBytes, formatValue } from './format.js'
import { SafeHtml, html } from './html.js'
import { page } from './layout.js'
import { downloadHref, flameHref } from './profile-links.js'
import type { ProfileRef } from './profile-links.js'

export interface FlamePageInput {
  readonly ref: ProfileRef
  /** What the profile is, e.g. "memory of http://127.0.0.1:6060". */
  readonly title: string
  readonly time: string
  readonly bytes: number
  readonly labels: Readonly<Record<string, string>>
  /** The tree, or why there is none. */
  readonly tree: FlameTree | { readonly error: string }
}

const TOP_FUNCTIONS = 15

export function renderFlamePage(input: FlamePageInput): string {
  const { tree } = input
  const head = html`<script src="${ASSETS.d3}" defer></script><script src="${ASSETS.flamegraph}" defer></script><script src="${ASSETS.page}" defer></script>`
  const body = html`
<section class="panel" id="profile-info"><strong>${input.title}</strong> · <time datetime="${input.time}">${input.time}</time> · ${formatBytes(input.bytes)} ·
<a href="${downloadHref(input.ref)}" download id="download">download (pprof)</a></section>
<div>${Object.entries(input.labels).map(([k, v]) => html`<span class="label">${k}=${v}</span>`)}</div>
${'error' in tree ? html`<p class="error" id="flame-error">${tree.error}</p>` : graph(input.ref, tree)}`
  return page('profiles', 'Flame graph', body, { refresh: false, ...('error' in tree ? {} : { head }) })
}

function graph(ref: ProfileRef, tree: FlameTree): SafeHtml {
  return html`
<p class="tabs" id="sample-types">Sample type: ${tree.sample_types.map((t) => {
    const name = t.split('/')[0] ?? t
    return html`<a href="${flameHref(ref, name)}"${name === tree.sample_type ? html` aria-current="true"` : ''}>${t}</a>`
  })}</p>
<p>Total <strong id="total">${formatValue(tree.total, tree.unit)}</strong>${tree.omitted_nodes > 0 ? html` <span class="muted">(${tree.omitted_nodes} frames too small to draw are left out)</span>` : ''}</p>
<form class="filter" id="flame-search"><input type="search" name="term" placeholder="highlight functions" aria-label="search"><button type="submit">Search</button><button type="button" id="flame-reset">Reset zoom</button><span id="details" class="muted"></span></form>
<div id="flamegraph"><noscript>The flame graph needs JavaScript; the table below does not.</noscript></div>
<script type="application/json" id="flame-data">${jsonForScript(tree)}</script>
<h2>Top functions by self ${tree.sample_type}</h2>
<table id="top-functions"><thead><tr><th>Function</th><th>Self</th><th>Share</th></tr></thead>
<tbody>${topFunctions(tree.root).map(([name, self]) => html`<tr><td><code>${name}</code></td><td>${formatValue(self, tree.unit)}</td><td>${tree.total > 0 ? `${((100 * self) / tree.total).toFixed(1)}%` : ''}</td></tr>`)}</tbody></table>`
}

/** JSON inside a script element: `<`, `>` and `&` escaped so that no text can end the element. */
function jsonForScript(value: unknown): SafeHtml {
  return new SafeHtml(JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
}

/** Self value (own value less its children's) summed per function name, largest first. */
export function topFunctions(root: FlameNode): [string, number][] {
  const self = new Map<string, number>()
  const stack = [...root.children]
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    const own = n.value - n.children.reduce((sum, c) => sum + c.value, 0)
    if (own > 0) self.set(n.name, (self.get(n.name) ?? 0) + own)
    stack.push(...n.children)
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS)
}
