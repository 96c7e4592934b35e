/**
 * The address and URL rules of a scrape target, byte for byte as Alloy builds them, on top of Go's URL rules
 * (go-url.ts); targets.ts uses them once per target or per path.
 */
import type { Labels } from '../../../util/labels.js'
import { encodeQuery, hasHostPort, joinPath } from './go-url.js'
import type { QueryParams } from './go-url.js'

export const ADDRESS_LABEL = '__address__'
export const SCHEME_LABEL = '__scheme__'
export const PROFILE_PATH_LABEL = '__profile_path__'
export const PROFILE_PATH_PREFIX_LABEL = '__profile_path_prefix__'
export const PARAM_LABEL_PREFIX = '__param_'

// ---- Address ---------------------------------------------------------------------------------------

/** Alloy `addPort`: no port yet, and adding one would make a valid host:port. */
export function needsDefaultPort(address: string): boolean {
  return !hasHostPort(address) && hasHostPort(`${address}:1234`)
}

// ---- URL -------------------------------------------------------------------------------------------

/** Params copy with `__param_<k>` labels replacing the first value of k (or adding k). */
export function scrapeQuery(labels: Labels, params: QueryParams): QueryParams {
  const query: QueryParams = new Map([...params].map(([k, values]) => [k, [...values]]))
  for (const [name, value] of Object.entries(labels)) {
    if (!name.startsWith(PARAM_LABEL_PREFIX)) continue
    const key = name.slice(PARAM_LABEL_PREFIX.length)
    const values = query.get(key)
    if (values !== undefined && values.length > 0) values[0] = value
    else query.set(key, [value])
  }
  return query
}

/** `scheme://address` + JoinPath(prefix, path) + `?` + sorted query, byte for byte as Alloy builds it. */
export function buildScrapeUrl(labels: Labels, query: QueryParams): string {
  const path = joinPath(labels[PROFILE_PATH_PREFIX_LABEL] ?? '', labels[PROFILE_PATH_LABEL] ?? '')
  const encoded = encodeQuery(query)
  return `${labels[SCHEME_LABEL] ?? ''}://${labels[ADDRESS_LABEL] ?? ''}${path}${encoded === '' ? '' : `?${encoded}`}`
}

export function copyParams(params: Readonly<Record<string, readonly string[]>> | null): QueryParams {
  return new Map(Object.entries(params ?? {}).map(([k, values]) => [k, [...values]]))
}

export function appendParam(params: QueryParams, key: string, value: string): void {
  params.set(key, [...(params.get(key) ?? []), value])
}

