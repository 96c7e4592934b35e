/**
 * `--server.http.ui-path-prefix` (Alloy's flag): the UI pages are served under the prefix, the root `/`
 * redirects there, and the pages' own links are rewritten to carry it. The API, /metrics, health and
 * /debug/pprof stay at the root, as in Alloy. See docs/alloy-compatibility.md.
 */

const UI_PAGES = new Set(['/', '/targets', '/components', '/component', '/graph', '/profiles', '/stored', '/flamegraph', '/cluster'])
/** Files the flame graph page loads (ui-assets.ts); served under the prefix like the pages. */
export const UI_ASSET_PREFIX = '/assets/'

function isUiPath(path: string): boolean {
  return UI_PAGES.has(path) || path.startsWith(UI_ASSET_PREFIX)
}

/** "/", or the prefix with exactly one leading and one trailing "/". */
export function normalizeUiPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '/').replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '/' : `/${trimmed}/`
}

/** Where a request goes when a prefix is set (see uiRedirect). */
export type UiRouting = { readonly location: string } | { readonly path: string } | { readonly notFound: true }

/**
 * How a request path maps onto the UI when a prefix is set: a redirect (`/` and the prefix without its
 * trailing slash), the UI page path under the prefix, not found (a UI page outside the prefix, or an
 * unknown path under it), or undefined (not a UI request: served as is).
 */
export function uiRedirect(pathname: string, prefix: string): UiRouting | undefined {
  if (prefix === '/') return undefined
  if (pathname === '/' || pathname === prefix.slice(0, -1)) return { location: prefix }
  if (!pathname.startsWith(prefix)) return isUiPath(pathname) ? { notFound: true } : undefined
  const inner = `/${pathname.slice(prefix.length)}`
  return isUiPath(inner) ? { path: inner } : { notFound: true }
}

/** Rewrites a rendered page's links to the UI pages and assets (`href`, `action`, `src`) to carry the prefix. */
export function prefixUiLinks(html: string, prefix: string): string {
  if (prefix === '/') return html
  return html.replace(
    /(href|action|src)="\/(targets|components|component|graph|profiles|stored|flamegraph|cluster|assets\/[\w.-]+)?(?=["?#])/g,
    (_m, attr: string, page: string | undefined) => `${attr}="${prefix}${page ?? ''}`
  )
}
