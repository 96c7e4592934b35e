/**
 * pyroscope.scrape arguments: schema, defaults and validation (spec: pyroscope.scrape.md; Alloy's
 * scrape.go Arguments/Validate; docs/scrape-timing.md).
 *
 * Differences from Alloy, on purpose:
 * - `scrape_timeout` defaults to "18s" as the reference doc says (Alloy's code uses 10s), and is not checked
 *   against the interval (neither does Alloy).
 * - `job_name` defaults to `pyroscope.scrape.<label>` as the reference doc says (Alloy sets no job label).
 * - `delta_profiling_duration`, when not set, follows the interval (`seconds = scrape_interval - 1`, as the
 *   reference doc says), so `scrape_interval = "10s"` is valid; Alloy's duration rules apply when it is set.
 * - `body_size_limit` (shardscope's own) caps a profile body; default 64 MiB.
 */
import type { Diagnostic } from '../../../syntax/index.js'
import type { Capsule, Value } from '../../../syntax/index.js'
import { Secret, typeOf } from '../../../syntax/index.js'
import type { BlockSpec, ConvertContext, DecodedBlock, NestedBlockSpec } from '../../../runtime/index.js'
import { t } from '../../../runtime/index.js'
import { convertValue } from '../../../runtime/index.js'
import type { HttpClientOptions } from '../../../http/index.js'
import type { Labels } from '../../../util/labels.js'
import { parseByteSize } from '../../../util/bytes.js'
import { HTTP_CLIENT_ATTRIBUTES, HTTP_CLIENT_BLOCKS, spanOf, toHttpClientOptions, validateHttpClient } from '../../common/index.js'
import type { ProfilesReceiver } from '../receiver.js'
import { PROFILES_RECEIVER_TYPE } from '../receiver.js'
import { DEFAULT_PROFILE_TYPES } from './profile-types.js'
import type { ProfileTypeConfig } from './profile-types.js'
import type { ExpansionConfig } from './targets.js'

export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000
export const DEFAULT_SCRAPE_TIMEOUT_MS = 18_000
/** Alloy's default; a value other than this one overrides `seconds` (docs/scrape-timing.md). */
export const DEFAULT_DELTA_PROFILING_DURATION_MS = 14_000
export const DEFAULT_BODY_SIZE_LIMIT_BYTES = 64 * 1024 * 1024

export interface ScrapeArguments {
  readonly targets: readonly Labels[]
  readonly forward_to: readonly Capsule<ProfilesReceiver>[]
  readonly job_name: string
  readonly params: Readonly<Record<string, readonly string[]>> | null
  readonly scrape_interval_ms: number
  readonly scrape_timeout_ms: number
  /** Undefined when not set: `seconds` then follows the interval. */
  readonly delta_profiling_duration_ms: number | undefined
  readonly scheme: string
  readonly body_size_limit_bytes: number
  readonly http_client: HttpClientOptions
  readonly path_prefix: string
  /** Built-in types (defaults merged with the blocks given) followed by the custom ones. */
  readonly profile_types: readonly ProfileTypeConfig[]
  readonly clustering_enabled: boolean
}


function profileBlock(def: ProfileTypeConfig): NestedBlockSpec {
  return {
    body: {
      attributes: {
        enabled: { type: t.bool, default: def.enabled },
        path: { type: t.string, default: def.path },
        // Alloy's godeltaprof blocks take `delta` too (default false: the target computes the delta itself).
        delta: { type: t.bool, default: def.delta }
      }
    }
  }
}

const PROFILING_CONFIG_BLOCK: NestedBlockSpec = {
  body: {
    attributes: { path_prefix: { type: t.string, default: '' } },
    blocks: {
      ...Object.fromEntries(DEFAULT_PROFILE_TYPES.map((d) => [`profile.${d.name}`, profileBlock(d)])),
      'profile.custom': {
        labelled: true,
        body: {
          attributes: {
            enabled: { type: t.bool, required: true },
            path: { type: t.string, required: true },
            delta: { type: t.bool, default: false }
          }
        }
      }
    }
  }
}

export const SCRAPE_SCHEMA: BlockSpec = {
  attributes: {
    targets: { type: t.list(t.map(t.string)), required: true, decode: decodeTargets },
    forward_to: { type: t.list(t.capsule(PROFILES_RECEIVER_TYPE)), required: true },
    job_name: { type: t.string },
    params: { type: t.map(t.list(t.string)) },
    scrape_interval: { type: t.duration, default: DEFAULT_SCRAPE_INTERVAL_MS },
    scrape_timeout: { type: t.duration, default: DEFAULT_SCRAPE_TIMEOUT_MS },
    delta_profiling_duration: { type: t.duration },
    scheme: { type: t.string, default: 'http' },
    body_size_limit: { type: t.string },
    ...HTTP_CLIENT_ATTRIBUTES
  },
  blocks: {
    ...HTTP_CLIENT_BLOCKS,
    profiling_config: PROFILING_CONFIG_BLOCK,
    clustering: { body: { attributes: { enabled: { type: t.bool, required: true } } } }
  },
  validate: validateScrape
}

/**
 * `targets` is list(map(string)). The reference doc's dynamic example writes `[discovery.http.x.targets]`,
 * a list inside a list: it is flattened (with a warning) so that example works verbatim.
 */
function decodeTargets(value: Value, ctx: ConvertContext): unknown {
  if (Array.isArray(value) && (value as readonly Value[]).some((v) => typeOf(v) === 'array')) {
    const flat: Value[] = []
    for (const v of value as readonly Value[]) {
      if (Array.isArray(v)) flat.push(...(v as readonly Value[]))
      else flat.push(v)
    }
    ctx.warn('targets is a list of lists; it was flattened into one list of targets (write `targets = discovery.x.y.targets` or use concat)')
    return convertValue(flat, t.list(t.map(t.string)), ctx.expr, 'targets')
  }
  return convertValue(value, t.list(t.map(t.string)), ctx.expr, 'targets')
}

function validateScrape(b: DecodedBlock): Diagnostic[] {
  const out = validateHttpClient(b)
  const v = b.values
  const interval = v['scrape_interval'] as number
  const timeout = v['scrape_timeout'] as number
  if (interval <= 0) out.push({ span: spanOf(b, 'scrape_interval'), message: 'scrape_interval must be greater than 0' })
  // Scrape points are whole milliseconds on the wall clock (docs/scrape-timing.md).
  else if (!Number.isInteger(interval)) out.push({ span: spanOf(b, 'scrape_interval'), message: 'scrape_interval must be a whole number of milliseconds' })
  if (timeout <= 0) out.push({ span: spanOf(b, 'scrape_timeout'), message: 'scrape_timeout must be greater than 0' })
  const scheme = v['scheme'] as string
  if (scheme !== 'http' && scheme !== 'https') out.push({ span: spanOf(b, 'scheme'), message: `invalid scheme: ${JSON.stringify(scheme)} (expected "http" or "https")` })
  if (typeof v['body_size_limit'] === 'string') {
    const size = parseByteSize(v['body_size_limit'])
    if (!size.ok || size.bytes <= 0) out.push({ span: spanOf(b, 'body_size_limit'), message: `invalid body_size_limit ${JSON.stringify(v['body_size_limit'])}: expected a positive size like "64MiB"` })
  }
  const types = profileTypes(v['profiling_config'] as Record<string, unknown> | undefined)
  if (types.some((p) => p.enabled && p.delta)) {
    const deltaSpan = spanOf(b, 'scrape_interval')
    if (interval < 2000) out.push({ span: deltaSpan, message: 'scrape_interval must be at least 2 seconds when using delta profiling' })
    const duration = v['delta_profiling_duration'] as number | undefined
    if (duration !== undefined) {
      const span = spanOf(b, 'delta_profiling_duration')
      if (duration <= 1000) out.push({ span, message: 'delta_profiling_duration must be larger than 1 second when using delta profiling' })
      else if (duration > interval - 1000) {
        out.push({ span, message: 'delta_profiling_duration must be at least 1 second smaller than scrape_interval when using delta profiling' })
      }
    }
  }
  return out
}

/** Built-in types merged with the blocks given, then the custom ones, in declaration order. */
export function profileTypes(profiling: Record<string, unknown> | undefined): ProfileTypeConfig[] {
  const builtIn = DEFAULT_PROFILE_TYPES.map((d) => {
    const block = profiling?.[`profile.${d.name}`] as Partial<ProfileTypeConfig> | undefined
    return Object.freeze({ ...d, ...(block ?? {}), name: d.name })
  })
  const custom = ((profiling?.['profile.custom'] as { label: string; enabled: boolean; path: string; delta: boolean }[] | undefined) ?? []).map(
    (c) => Object.freeze({ name: c.label, enabled: c.enabled, path: c.path, delta: c.delta })
  )
  // A custom type named like a built-in one replaces it, as in Alloy's AllTargets (one map keyed by name).
  const customNames = new Set(custom.map((c) => c.name))
  return [...builtIn.filter((b) => !customNames.has(b.name)), ...custom]
}

export function toScrapeArguments(v: Record<string, unknown>, label: string): ScrapeArguments {
  const profiling = v['profiling_config'] as Record<string, unknown> | undefined
  const limit = typeof v['body_size_limit'] === 'string' ? parseByteSize(v['body_size_limit']) : undefined
  return Object.freeze({
    targets: v['targets'] as Labels[],
    forward_to: v['forward_to'] as Capsule<ProfilesReceiver>[],
    job_name: (v['job_name'] as string | undefined) ?? `pyroscope.scrape.${label}`,
    params: (v['params'] as Record<string, string[]> | undefined) ?? null,
    scrape_interval_ms: v['scrape_interval'] as number,
    scrape_timeout_ms: v['scrape_timeout'] as number,
    delta_profiling_duration_ms: v['delta_profiling_duration'] as number | undefined,
    scheme: v['scheme'] as string,
    body_size_limit_bytes: limit?.ok ? limit.bytes : DEFAULT_BODY_SIZE_LIMIT_BYTES,
    http_client: toHttpClientOptions(v),
    path_prefix: (profiling?.['path_prefix'] as string | undefined) ?? '',
    profile_types: Object.freeze(profileTypes(profiling)),
    clustering_enabled: (v['clustering'] as { enabled: boolean } | undefined)?.enabled ?? false
  })
}

export function toExpansionConfig(a: ScrapeArguments): ExpansionConfig {
  return {
    job_name: a.job_name,
    scheme: a.scheme,
    params: a.params,
    scrape_interval_ms: a.scrape_interval_ms,
    scrape_timeout_ms: a.scrape_timeout_ms,
    delta_profiling_duration_ms: a.delta_profiling_duration_ms ?? DEFAULT_DELTA_PROFILING_DURATION_MS,
    path_prefix: a.path_prefix,
    profile_types: a.profile_types
  }
}

/** Whether new arguments restart every loop (as Alloy does): interval, timeout, body limit or HTTP client changed. */
export function needsLoopRestart(a: ScrapeArguments, b: ScrapeArguments): boolean {
  return (
    a.scrape_interval_ms !== b.scrape_interval_ms ||
    a.scrape_timeout_ms !== b.scrape_timeout_ms ||
    a.body_size_limit_bytes !== b.body_size_limit_bytes ||
    comparableOptions(a.http_client) !== comparableOptions(b.http_client)
  )
}

/** A comparison key of client options that sees secret contents (never logged or returned). */
function comparableOptions(options: HttpClientOptions): string {
  return JSON.stringify(options, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key]
    return original instanceof Secret ? { secret: original.reveal() } : value
  })
}
