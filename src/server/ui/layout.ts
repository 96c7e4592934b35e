/**
 * The page frame: nav, inline style, and a 10 s meta refresh. No script and no external asset, so the
 * UI works offline, without JavaScript, and under the strict Content-Security-Policy it is served with.
 * The one exception is the flame graph page, which loads its library from this server (see flame-page.ts).
 */
import { SafeHtml, html } from './html.js'

export type PageName = 'components' | 'graph' | 'targets' | 'profiles' | 'cluster'

const NAV: readonly { readonly page: PageName; readonly href: string; readonly title: string }[] = [
  { page: 'components', href: '/components', title: 'Components' },
  { page: 'graph', href: '/graph', title: 'Graph' },
  { page: 'targets', href: '/', title: 'Targets' },
  { page: 'profiles', href: '/profiles', title: 'Profiles' },
  { page: 'cluster', href: '/cluster', title: 'Cluster' }
]

/** Refresh period of every page, in seconds: short enough to follow scrapes at the default 15 s interval. */
const REFRESH_SECONDS = 10

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{display:flex;gap:24px;align-items:center;padding:10px 20px;background:#1d2330;color:#fff}
header nav a{color:#c9d1e0;margin-right:16px;text-decoration:none}
header nav a[aria-current=page]{color:#fff;font-weight:600;border-bottom:2px solid #f5a623}
main{padding:16px 20px}
h1{font-size:20px;margin:0 0 12px}
h2{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{background:#eef0f4;font-weight:600}
code,pre{font:12px/1.4 ui-monospace,monospace}
pre{white-space:pre-wrap;word-break:break-all;margin:4px 0}
.panel{display:inline-block;background:#fff;border:1px solid #e3e6eb;border-radius:4px;padding:8px 12px;margin:0 12px 12px 0}
.health{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;color:#fff}
.health-up,.health-healthy{background:#2e8540}
.health-down,.health-unhealthy{background:#c62828}
.health-unknown{background:#7a8394}
.error{color:#b71c1c;min-width:360px;overflow-wrap:anywhere}
th.errors{width:40%}
.chip{display:inline-block;padding:1px 8px;margin:1px 2px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.origin{white-space:nowrap}
.chip.empty{background:#b7791f}
.hint{color:#8a5a00}
.label{display:inline-block;background:#eef0f4;border-radius:3px;padding:0 4px;margin:1px;font:12px ui-monospace,monospace}
.muted{color:#6b7280}
form.filter{margin:0 0 12px;display:flex;gap:8px;align-items:center}
form.filter input[type=search]{width:320px;padding:4px}
.pager{margin:12px 0;display:flex;gap:16px}
pre.alloy{background:#fff;border:1px solid #e3e6eb;border-radius:4px;padding:8px 12px;tab-size:4;white-space:pre;overflow-x:auto;word-break:normal}
dl.deps{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.deps dt{font-weight:600}
dl.deps dd{margin:0}
svg.graph{background:#fff;border:1px solid #e3e6eb;border-radius:4px}
svg.graph text{font:12px ui-monospace,monospace}
svg.graph .node rect{fill:#fff;stroke-width:2}
svg.graph .node-healthy rect{stroke:#2e8540}
svg.graph .node-unhealthy rect{stroke:#c62828}
svg.graph .node-unknown rect{stroke:#7a8394}
svg.graph .edge{fill:none;stroke:#7a8394;stroke-width:1.5}
#flamegraph{background:#fff;border:1px solid #e3e6eb;border-radius:4px;padding:8px;min-height:120px}
.tabs a{margin-right:12px}
.tabs a[aria-current=true]{font-weight:600}
`

/** The stylesheet is a constant of this file, never data, so it is trusted as is. */
const STYLE_HTML = new SafeHtml(STYLE)

export interface PageOptions {
  /** false for a page the user interacts with (a flame graph): a reload would lose its zoom. Default true. */
  readonly refresh?: boolean
  /** Extra elements for the head (the flame graph page's scripts). */
  readonly head?: SafeHtml
}

export function page(active: PageName, title: string, body: SafeHtml, options: PageOptions = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${options.refresh === false ? '' : html`<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>shardscope · ${title}</title>
<style>${STYLE_HTML}</style>
${options.head}
</head>
<body>
<header><strong>shardscope</strong><nav>${NAV.map(
    (n) => html`<a href="${n.href}"${n.page === active ? html` aria-current="page"` : ''}>${n.title}</a>`
  )}</nav></header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.text
}

/** A health badge; the class names come from a closed set, the text is escaped anyway. */
export function healthBadge(health: string): SafeHtml {
  const known = ['up', 'down', 'unknown', 'healthy', 'unhealthy'].includes(health) ? health : 'unknown'
  return html`<span class="health health-${known}">${health}</span>`
}
