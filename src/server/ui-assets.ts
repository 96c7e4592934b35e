/**
 * The scripts of the flame graph page, served from this package (no CDN, works offline): d3 and
 * d3-flame-graph from their npm packages' browser builds, and the page's own script. Read once, on first
 * use, and kept in memory (about 300 KiB).
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { UI_ASSET_PREFIX } from './ui-prefix.js'
import { sendText } from './respond.js'
import { FLAME_PAGE_SCRIPT } from './ui/flame-script.js'
import type { Route } from './routes/context.js'

export const ASSETS = {
  d3: `${UI_ASSET_PREFIX}d3.min.js`,
  flamegraph: `${UI_ASSET_PREFIX}d3-flamegraph.min.js`,
  page: `${UI_ASSET_PREFIX}flame-page.js`
} as const

/** A file next to a package's resolved entry point (its `dist/` folder). */
function packageFile(specifier: string, name: string): URL {
  return new URL(name, import.meta.resolve(specifier))
}

/** By file name: the UI path prefix, when set, comes before `/assets/`. */
const SOURCES: Readonly<Record<string, () => Promise<string>>> = {
  'd3.min.js': () => readFile(fileURLToPath(packageFile('d3', 'd3.min.js')), 'utf8'),
  'd3-flamegraph.min.js': () => readFile(fileURLToPath(packageFile('d3-flame-graph', 'd3-flamegraph.umd.min.js')), 'utf8'),
  'flame-page.js': () => Promise.resolve(FLAME_PAGE_SCRIPT)
}

const loaded = new Map<string, Promise<string>>()

export const assetRoute: Route = async (_req, res, url) => {
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1)
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined
  if (source === undefined) {
    sendText(res, 404, `not found: ${url.pathname}`)
    return
  }
  let text = loaded.get(name)
  if (text === undefined) {
    text = source()
    // A failed read is tried again by the next request rather than cached.
    text.catch(() => loaded.delete(name))
    loaded.set(name, text)
  }
  const body = await text
  res.writeHead(200, {
    'Content-Type': 'text/javascript; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'public, max-age=3600'
  })
  res.end(body)
}
