/**
 * The filter of the stored profiles list, from URL parameters (pure): `labels` holds `name=value` terms,
 * separated by spaces or commas, values optionally quoted, braces allowed (`{service_name="api"}`); `from`
 * and `to` are times in UTC (`2025-01-02T03:04`, as a datetime-local input sends, or RFC 3339); `offset`
 * and `limit` page the newest-first list.
 */
import type { StoredProfileQuery } from './view.js'

export const STORED_PAGE_SIZE = 50
const MAX_LIMIT = 1000
const TERM = /([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"{}]*))/g

export function parseStoredQuery(params: URLSearchParams): { ok: true; query: StoredProfileQuery } | { ok: false; error: string } {
  const labels = parseLabelTerms(params.get('labels') ?? '')
  if (!labels.ok) return labels
  const from = parseTime(params.get('from'), 'from')
  if (!from.ok) return from
  const to = parseTime(params.get('to'), 'to')
  if (!to.ok) return to
  const offset = parseCount(params.get('offset'), 'offset', 0)
  if (!offset.ok) return offset
  const limit = parseCount(params.get('limit'), 'limit', STORED_PAGE_SIZE)
  if (!limit.ok) return limit
  return {
    ok: true,
    query: {
      labels: labels.terms,
      offset: offset.value,
      limit: Math.min(Math.max(1, limit.value), MAX_LIMIT),
      ...(from.ms !== undefined ? { fromMs: from.ms } : {}),
      ...(to.ms !== undefined ? { toMs: to.ms } : {})
    }
  }
}

export function parseLabelTerms(text: string): { ok: true; terms: [string, string][] } | { ok: false; error: string } {
  const terms: [string, string][] = []
  const rest = text.replace(TERM, (_m, name: string, quoted: string | undefined, bare: string | undefined) => {
    terms.push([name, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '')])
    return ' '
  })
  if (/[^\s,{}]/.test(rest)) return { ok: false, error: `invalid labels ${JSON.stringify(text.slice(0, 200))}: want name=value terms, e.g. service_name=api` }
  return { ok: true, terms }
}

function parseTime(raw: string | null, name: string): { ok: true; ms: number | undefined } | { ok: false; error: string } {
  if (raw === null || raw.trim() === '') return { ok: true, ms: undefined }
  const text = raw.trim()
  // A datetime-local value has no zone: the page asks for UTC.
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(withZone) ? Date.parse(withZone) : Number.NaN
  return Number.isNaN(ms) ? { ok: false, error: `invalid ${name} ${JSON.stringify(text.slice(0, 64))}: want a UTC time such as 2025-01-02T03:04` } : { ok: true, ms }
}

function parseCount(raw: string | null, name: string, fallback: number): { ok: true; value: number } | { ok: false; error: string } {
  if (raw === null || raw === '') return { ok: true, value: fallback }
  if (!/^\d{1,9}$/.test(raw)) return { ok: false, error: `invalid ${name} ${JSON.stringify(raw.slice(0, 32))}: want a non-negative integer` }
  return { ok: true, value: Number(raw) }
}
