/**
 * Filtering and paging of the target list, shared by `/api/v1/targets` and the targets page. Pure: the
 * caller passes the targets it got from the view. Paging happens after a stable sort, so consecutive pages
 * of an unchanged list neither repeat nor skip a target.
 */
import type { TargetHealth, TargetView } from './view.js'

export interface TargetQuery {
  /** Exact component id. */
  readonly component?: string
  readonly job?: string
  readonly health?: TargetHealth
  /** Case-insensitive substring of the URL, a label (name or value, or "name=value") or the last error. */
  readonly q?: string
  readonly offset: number
  /** undefined: no limit. */
  readonly limit?: number
}

export interface TargetPage {
  /** How many targets match the filters, before paging. */
  readonly total: number
  readonly targets: readonly TargetView[]
}

const HEALTH_VALUES: readonly TargetHealth[] = ['up', 'down', 'unknown']

export function isTargetHealth(value: string): value is TargetHealth {
  return (HEALTH_VALUES as readonly string[]).includes(value)
}

/** Reads a TargetQuery from URL parameters; empty parameters mean "no filter". */
export function parseTargetQuery(params: URLSearchParams): { ok: true; query: TargetQuery } | { ok: false; error: string } {
  const text = (name: string): string | undefined => {
    const v = params.get(name)
    return v === null || v === '' ? undefined : v
  }
  const health = text('health')
  if (health !== undefined && !isTargetHealth(health)) {
    return { ok: false, error: `invalid health ${JSON.stringify(health)}: want one of ${HEALTH_VALUES.join(', ')}` }
  }
  const offset = parseCount(params, 'offset')
  if (!offset.ok) return offset
  const limit = parseCount(params, 'limit')
  if (!limit.ok) return limit
  const component = text('component')
  const job = text('job')
  const q = text('q')
  return {
    ok: true,
    query: {
      offset: offset.value ?? 0,
      ...(limit.value !== undefined ? { limit: limit.value } : {}),
      ...(component !== undefined ? { component } : {}),
      ...(job !== undefined ? { job } : {}),
      ...(health !== undefined ? { health } : {}),
      ...(q !== undefined ? { q } : {})
    }
  }
}

function parseCount(params: URLSearchParams, name: string): { ok: true; value: number | undefined } | { ok: false; error: string } {
  const raw = params.get(name)
  if (raw === null || raw === '') return { ok: true, value: undefined }
  if (!/^\d{1,9}$/.test(raw)) return { ok: false, error: `invalid ${name} ${JSON.stringify(raw)}: want a non-negative integer` }
  return { ok: true, value: Number(raw) }
}

export function queryTargets(targets: readonly TargetView[], query: TargetQuery): TargetPage {
  const needle = query.q?.toLowerCase()
  const matching = targets
    .filter(
      (t) =>
        (query.component === undefined || t.component === query.component) &&
        (query.job === undefined || t.job === query.job) &&
        (query.health === undefined || t.health === query.health) &&
        (needle === undefined || searchText(t).includes(needle))
    )
    .sort(compareTargets)
  const end = query.limit === undefined ? undefined : query.offset + query.limit
  return { total: matching.length, targets: matching.slice(query.offset, end) }
}

function searchText(t: TargetView): string {
  const labels = Object.entries(t.labels).map(([k, v]) => `${k}=${v}`)
  return [t.url, t.last_error, ...labels].join('\n').toLowerCase()
}

function compareTargets(a: TargetView, b: TargetView): number {
  return compareStrings(a.component, b.component) || compareStrings(a.url, b.url) || compareStrings(a.profile_type, b.profile_type)
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
