/**
 * Input targets → one scrape per (target, enabled profile type): labels, URL, identity and timeout,
 * following Alloy's `labelsByProfiles`, `populateLabels`, `targetsFromGroup` and `NewTarget`
 * (docs/scrape-timing.md for `seconds`, the timeout and target keys). Pure: no I/O, no clock.
 *
 * Where shardscope differs from Alloy, on purpose:
 * - a bad target is dropped alone with its reason; Alloy drops its whole discovery group;
 * - any scheme other than http/https is refused, and the message names the target's scheme (Alloy only
 *   checks when it must add a default port, and names the config's scheme);
 * - `params` is copied per target (Alloy's shared-map `Add` leaks `seconds` into later targets).
 *
 * A profile type adds only `__profile_path__` and `__name__` to a target's labels, and neither changes
 * what `populateLabels` computes, so that work (labels, checks, query, public-label hash) is done once
 * per target and each type only adds its two labels, path and id: a 10,000-target config expands to
 * 50,000 scrapes on every reload, and the per-type copies were most of the cost (bench/config.bench.ts).
 */
import { FNV_OFFSET_BASIS, fnvHex, fnvUpdate, formatHex, type FnvState, type KeyHasher } from '../../../util/label-hash.js'
import { type Labels } from '../../../util/labels.js'
import { addressWithoutUserinfo, redactAddress } from '../../../http/index.js'
import { ExpandedScrape, type LabelSource, type ScrapeTarget } from './expanded-scrape.js'
import { hasParamLabel, inferServiceName, isWellFormed, pick, setIfAbsent, withRedactedAddress, type MutableLabels } from './target-labels.js'
import {
  findProfileType,
  isClientDeltaType,
  publicProfileName,
  type ProfileTypeConfig
} from './profile-types.js'
import {
  ADDRESS_LABEL,
  PARAM_LABEL_PREFIX,
  PROFILE_PATH_LABEL,
  PROFILE_PATH_PREFIX_LABEL,
  SCHEME_LABEL,
  appendParam,
  copyParams,
  needsDefaultPort,
  scrapeQuery
} from './scrape-url.js'
import { encodeQuery, joinPath } from './go-url.js'

export type { ScrapeTarget } from './expanded-scrape.js'
export { inferServiceName, isWellFormed } from './target-labels.js'

export interface ExpansionConfig {
  /** '' → no job label (Alloy rule); the config layer fills the default. */
  readonly job_name: string
  /** 'http' | 'https' */
  readonly scheme: string
  readonly params: Readonly<Record<string, readonly string[]>> | null
  readonly scrape_interval_ms: number
  readonly scrape_timeout_ms: number
  /** Default 14000; any other value sets `seconds` for delta types instead of interval − 1 s. */
  readonly delta_profiling_duration_ms: number
  readonly path_prefix: string
  /** Built-ins (merged with defaults) and custom types, in order. */
  readonly profile_types: readonly ProfileTypeConfig[]
}

export interface DroppedTarget {
  readonly labels: Labels
  readonly reason: string
}

export interface Expansion {
  scrapes: ScrapeTarget[]
  dropped: DroppedTarget[]
  /** Input targets whose key an earlier target already had (first wins); the caller warns. */
  duplicates: Labels[]
}

export const PROFILE_NAME_LABEL = '__name__'
export const DELTA_LABEL = '__delta__'
export { ADDRESS_LABEL, PARAM_LABEL_PREFIX, PROFILE_PATH_LABEL, PROFILE_PATH_PREFIX_LABEL, SCHEME_LABEL }
const SERVICE_NAME_LABEL = 'service_name'
/** Alloy's default delta_profiling_duration: while it is unchanged, `seconds` follows the interval. */
const DEFAULT_DELTA_DURATION_MS = 14_000

/** What a configured `__name__` means for a scrape; the same few names recur on every target. */
interface TypeRules {
  readonly delta: boolean
  readonly publicName: string
  readonly clientDelta: boolean
}

/** Per expansion: the enabled types and memos of pure per-name and per-path results. */
interface Context {
  readonly cfg: ExpansionConfig
  readonly hasher: KeyHasher
  readonly enabled: readonly ProfileTypeConfig[]
  readonly rules: Map<string, TypeRules>
  readonly paths: Map<string, Map<string, string>>
  /** The query of every target without `__param_*` labels of its own: it depends only on the config. */
  readonly configQueries: [Query | undefined, Query | undefined]
}

/** A target after `populateLabels`, before a profile type is added. */
interface Populated extends LabelSource {
  readonly labels: MutableLabels
  /** The first label (by name) whose value is not well-formed. */
  readonly bad: string | undefined
  /** FNV state after the hex StableHash of the public labels: a scrape's id continues it with the URL. */
  readonly idPrefix: FnvState
  /** `scheme://address`. */
  readonly origin: string
  /** Encoded query without and with the delta `seconds` (shared by targets without `__param_*` labels). */
  readonly queries: [Query | undefined, Query | undefined]
}

interface Query {
  readonly encoded: string
  readonly hasSeconds: boolean
}

export function expandTargets(targets: readonly Labels[], cfg: ExpansionConfig, hasher: KeyHasher): Expansion {
  const expansion: Expansion = { scrapes: [], dropped: [], duplicates: [] }
  const context: Context = { cfg, hasher, enabled: cfg.profile_types.filter((t) => t.enabled), rules: new Map(), paths: new Map(), configQueries: [undefined, undefined] }
  const seenKeys = new Set<bigint>()
  const seenIds = new Set<string>()
  for (const target of targets) {
    const key = hasher.targetKey(target)
    if (seenKeys.has(key)) {
      expansion.duplicates.push(target)
      continue
    }
    seenKeys.add(key)
    const result = expandTarget(target, key, context)
    if (typeof result === 'string') {
      expansion.dropped.push({ labels: withRedactedAddress(target), reason: result })
      continue
    }
    // Identical public labels and URL are one scrape (Alloy keys its loops by this hash).
    for (const scrape of result) {
      if (seenIds.has(scrape.id)) continue
      seenIds.add(scrape.id)
      expansion.scrapes.push(scrape)
    }
  }
  return expansion
}

/** The scrapes of one input target, or the reason it cannot be scraped. */
function expandTarget(target: Labels, key: bigint, context: Context): ScrapeTarget[] | string {
  // Without an enabled type a target has no scrape, and nothing about it is checked.
  if (context.enabled.length === 0) return []
  const populated = populate(target, context)
  if (typeof populated === 'string') return populated
  const scrapes: ScrapeTarget[] = []
  for (const type of context.enabled) {
    const scrape = scrapeOf(populated, type, key, context)
    if (typeof scrape === 'string') return scrape
    scrapes.push(scrape)
  }
  return scrapes
}

/** Alloy `populateLabels` (prefix, job, scheme, params, port, instance, service_name), once per target. */
function populate(target: Labels, context: Context): Populated | string {
  const { cfg, hasher } = context
  const labels: MutableLabels = { ...target }
  setIfAbsent(labels, PROFILE_PATH_PREFIX_LABEL, cfg.path_prefix)
  setIfAbsent(labels, 'job', cfg.job_name)
  setIfAbsent(labels, SCHEME_LABEL, cfg.scheme)
  for (const [name, values] of Object.entries(cfg.params ?? {})) {
    const first = values[0]
    if (first !== undefined) labels[PARAM_LABEL_PREFIX + name] = first
  }
  let address = labels[ADDRESS_LABEL] ?? ''
  if (address === '') return 'no address'
  const scheme = labels[SCHEME_LABEL] ?? ''
  if (scheme !== 'http' && scheme !== 'https') return `invalid scheme: ${JSON.stringify(scheme)}`
  if (needsDefaultPort(address)) {
    address += scheme === 'https' ? ':443' : ':80'
    labels[ADDRESS_LABEL] = address
  }
  // Prometheus CheckTargetAddress.
  if (address.includes('/')) return `${JSON.stringify(redactAddress(address))} is not a valid hostname`
  // Credentials in the address log in; they are not part of the target's identity (never pushed, never shown).
  setIfAbsent(labels, 'instance', addressWithoutUserinfo(address))
  setIfAbsent(labels, SERVICE_NAME_LABEL, inferServiceName(target))
  // The default sort orders by UTF-16 code units, like sortedLabelEntries' comparator, without calling one.
  const names = Object.keys(labels).sort()
  const publicNames = names.filter((name) => !name.startsWith('__'))
  const publicOnly = pick(labels, publicNames)
  return {
    labels,
    names,
    shown: withRedactedAddress(labels),
    bad: names.find((name) => !isWellFormed(labels[name] ?? '')),
    publicNames,
    publicOnly,
    idPrefix: fnvUpdate(FNV_OFFSET_BASIS, formatHex(hasher.stableHash(publicOnly))),
    origin: `${scheme}://${address}`,
    queries: hasParamLabel(target) ? [undefined, undefined] : context.configQueries,
    // Four slots from the start: an array that grew holes as templates arrived changed its shape, and
    // V8 threw away the compiled code of this function and of scrapeOf each time.
    shownTemplates: [undefined, undefined, undefined, undefined],
    forwardTemplates: [undefined, undefined, undefined, undefined]
  }
}

/** One (target, type) scrape: the type's path and name added to the target's populated labels. */
function scrapeOf(target: Populated, type: ProfileTypeConfig, key: bigint, context: Context): ScrapeTarget | string {
  const { labels } = target
  // Labels already on the target win over the config (Alloy setIfNotPresentAndNotEmpty).
  const addedPath = !labels[PROFILE_PATH_LABEL] && type.path !== '' ? type.path : undefined
  const addedName = !labels[PROFILE_NAME_LABEL] && type.name !== '' ? type.name : undefined
  const bad = firstBadLabel(target.bad, addedPath, addedName)
  if (bad !== undefined) {
    const value = (bad === PROFILE_PATH_LABEL ? addedPath : bad === PROFILE_NAME_LABEL ? addedName : undefined) ?? labels[bad]
    return `invalid label value for ${JSON.stringify(bad)}: ${JSON.stringify(value)}`
  }
  const configuredName = addedName ?? labels[PROFILE_NAME_LABEL] ?? ''
  const rules = typeRules(configuredName, context)
  const query = queryOf(target, rules.delta, context.cfg)
  const path = pathOf(labels[PROFILE_PATH_PREFIX_LABEL] ?? '', addedPath ?? labels[PROFILE_PATH_LABEL] ?? '', context)
  const url = `${target.origin}${path}${query.encoded === '' ? '' : `?${query.encoded}`}`
  const profileType = rules.publicName
  const { cfg } = context
  return new ExpandedScrape(
    key,
    fnvHex(fnvUpdate(target.idPrefix, url)),
    url,
    profileType,
    rules.clientDelta,
    // Alloy: a request that profiles over `seconds` gets interval − 1 s on top of scrape_timeout.
    cfg.scrape_timeout_ms + (query.hasSeconds ? Math.max(0, cfg.scrape_interval_ms - 1000) : 0),
    target,
    configuredName === '' ? undefined : profileType,
    addedPath
  )
}

/** The first bad label by name among the target's and the two a type adds (`__name__` < `__profile_path__`). */
function firstBadLabel(targetBad: string | undefined, addedPath: string | undefined, addedName: string | undefined): string | undefined {
  let bad = targetBad
  if (addedPath !== undefined && !isWellFormed(addedPath) && (bad === undefined || PROFILE_PATH_LABEL < bad)) bad = PROFILE_PATH_LABEL
  if (addedName !== undefined && !isWellFormed(addedName) && (bad === undefined || PROFILE_NAME_LABEL < bad)) bad = PROFILE_NAME_LABEL
  return bad
}

function typeRules(configuredName: string, context: Context): TypeRules {
  let rules = context.rules.get(configuredName)
  if (rules === undefined) {
    rules = {
      delta: findProfileType(context.cfg.profile_types, configuredName)?.delta === true,
      publicName: publicProfileName(configuredName),
      clientDelta: isClientDeltaType(configuredName)
    }
    context.rules.set(configuredName, rules)
  }
  return rules
}

/** The target's query (params, `__param_*` labels, and `seconds` for delta types), built once per kind. */
function queryOf(target: Populated, delta: boolean, cfg: ExpansionConfig): Query {
  const slot = delta ? 1 : 0
  const cached = target.queries[slot]
  if (cached !== undefined) return cached
  const params = copyParams(cfg.params)
  if (delta) appendParam(params, 'seconds', String(deltaSeconds(cfg)))
  const query = scrapeQuery(target.labels, params)
  const built = { encoded: encodeQuery(query), hasSeconds: query.has('seconds') }
  target.queries[slot] = built
  return built
}

function pathOf(prefix: string, path: string, context: Context): string {
  let byPath = context.paths.get(prefix)
  if (byPath === undefined) context.paths.set(prefix, (byPath = new Map()))
  let joined = byPath.get(path)
  if (joined === undefined) byPath.set(path, (joined = joinPath(prefix, path)))
  return joined
}

/** `seconds` for delta types: interval − 1 s, or delta_profiling_duration when it was changed. */
export function deltaSeconds(cfg: Pick<ExpansionConfig, 'scrape_interval_ms' | 'delta_profiling_duration_ms'>): number {
  if (cfg.delta_profiling_duration_ms !== DEFAULT_DELTA_DURATION_MS) {
    return Math.trunc(cfg.delta_profiling_duration_ms / 1000)
  }
  return Math.trunc(cfg.scrape_interval_ms / 1000) - 1
}
