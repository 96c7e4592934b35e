/**
 * Input targets → one scrape per (target, enabled profile type): labels, URL, identity and timeout,
 * following Alloy's `labelsByProfiles`, `populateLabels`, `targetsFromGroup` and `NewTarget`
 * (spec/alloy-behaviour.md 1a–1c, design 4.1–4.2, 4.5, 4.8). Pure: no I/O, no clock.
 *
 * Where shardscope differs from Alloy, on purpose:
 * - a bad target is dropped alone with its reason; Alloy drops its whole discovery group;
 * - any scheme other than http/https is refused, and the message names the target's scheme (Alloy only
 *   checks when it must add a default port, and names the config's scheme);
 * - `params` is copied per target (Alloy's shared-map `Add` leaks `seconds` into later targets).
 *
 * This file is a little over 300 lines because Go's URL rules (JoinPath, path escaping, Values.Encode)
 * live here next to their only user, so a scrape URL is byte-identical to Alloy's.
 */
import { compareUtf8, fnv1a64, formatHex, type KeyHasher } from '../../../cluster/key.js'
import { type Labels } from '../../../util/labels.js'
import { addressWithoutUserinfo, redactAddress } from '../../../http/redact.js'
import {
  findProfileType,
  isClientDeltaType,
  publicProfileName,
  type ProfileTypeConfig
} from './profile-types.js'

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

export interface ScrapeTarget {
  /** Ring key of the input target (xxhash64 StableHash without `__meta_*`). */
  readonly key: bigint
  /** Loop identity: hex FNV-1a-64 of (hex StableHash of public labels + URL), Alloy 1a.7. */
  readonly id: string
  readonly url: string
  /** Final `__name__`, after godeltaprof renaming. */
  readonly profileType: string
  /** Every label after expansion, `__` ones included (what status shows). */
  readonly labels: Labels
  /** What a profile is sent with (design 4.2): public labels, `__name__`, `__delta__` for client deltas. */
  readonly forwardLabels: Labels
  /** memory/mutex/block not from godeltaprof: the agent subtracts the previous scrape (design 4.7). */
  readonly clientDelta: boolean
  /** scrape_timeout, plus interval − 1 s for requests with `seconds` (docs/alloy-compatibility.md). */
  readonly timeoutMs: number
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

export const ADDRESS_LABEL = '__address__'
export const SCHEME_LABEL = '__scheme__'
export const PROFILE_PATH_LABEL = '__profile_path__'
export const PROFILE_PATH_PREFIX_LABEL = '__profile_path_prefix__'
export const PROFILE_NAME_LABEL = '__name__'
export const DELTA_LABEL = '__delta__'
export const PARAM_LABEL_PREFIX = '__param_'
const SERVICE_NAME_LABEL = 'service_name'
/** Alloy's default delta_profiling_duration: while it is unchanged, `seconds` follows the interval. */
const DEFAULT_DELTA_DURATION_MS = 14_000

type MutableLabels = Record<string, string>
type QueryParams = Map<string, string[]>

export function expandTargets(targets: readonly Labels[], cfg: ExpansionConfig, hasher: KeyHasher): Expansion {
  const expansion: Expansion = { scrapes: [], dropped: [], duplicates: [] }
  const seenKeys = new Set<bigint>()
  const seenIds = new Set<string>()
  for (const target of targets) {
    const key = hasher.targetKey(target)
    if (seenKeys.has(key)) {
      expansion.duplicates.push(target)
      continue
    }
    seenKeys.add(key)
    const result = expandTarget(target, key, cfg, hasher)
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
function expandTarget(target: Labels, key: bigint, cfg: ExpansionConfig, hasher: KeyHasher): ScrapeTarget[] | string {
  const scrapes: ScrapeTarget[] = []
  // Public labels never depend on the profile type (every label a type adds starts with `__`), so their hash
  // for the loop id is computed once per target.
  let publicHash: string | undefined
  for (const type of cfg.profile_types) {
    if (!type.enabled) continue
    const labels: MutableLabels = { ...target }
    // Labels already on the target win over the config (Alloy setIfNotPresentAndNotEmpty).
    setIfAbsent(labels, PROFILE_PATH_LABEL, type.path)
    setIfAbsent(labels, PROFILE_NAME_LABEL, type.name)
    setIfAbsent(labels, PROFILE_PATH_PREFIX_LABEL, cfg.path_prefix)
    const error = populateLabels(labels, target, cfg)
    if (error !== undefined) return error
    publicHash ??= formatHex(hasher.stableHash(publicLabels(labels)))
    scrapes.push(toScrapeTarget(labels, key, cfg, publicHash))
  }
  return scrapes
}

/** Alloy `populateLabels`: fills job, scheme, params, port, instance, service_name; then validates. */
function populateLabels(labels: MutableLabels, original: Labels, cfg: ExpansionConfig): string | undefined {
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
  setIfAbsent(labels, SERVICE_NAME_LABEL, inferServiceName(original))
  // Report the first bad label in name order (as Alloy); sorting only when one is bad keeps this cheap.
  let bad: string | undefined
  for (const name in labels) {
    if (!isWellFormed(labels[name] ?? '') && (bad === undefined || name < bad)) bad = name
  }
  return bad === undefined ? undefined : `invalid label value for ${JSON.stringify(bad)}: ${JSON.stringify(labels[bad])}`
}

function toScrapeTarget(labels: MutableLabels, key: bigint, cfg: ExpansionConfig, publicHash: string): ScrapeTarget {
  const configuredName = labels[PROFILE_NAME_LABEL] ?? ''
  const params = copyParams(cfg.params)
  if (findProfileType(cfg.profile_types, configuredName)?.delta === true) {
    appendParam(params, 'seconds', String(deltaSeconds(cfg)))
  }
  const profileType = publicProfileName(configuredName)
  if (configuredName !== '') labels[PROFILE_NAME_LABEL] = profileType
  const query = scrapeQuery(labels, params)
  const url = buildScrapeUrl(labels, query)
  const publicOnly = publicLabels(labels)
  const clientDelta = isClientDeltaType(configuredName)
  const forward: MutableLabels = { ...publicOnly }
  if (profileType !== '') forward[PROFILE_NAME_LABEL] = profileType
  if (clientDelta) forward[DELTA_LABEL] = 'false'
  return Object.freeze({
    key,
    id: fnv1a64(publicHash + url).toString(16).padStart(16, '0'),
    url,
    profileType,
    labels: frozenSorted(withRedactedAddress(labels)),
    forwardLabels: frozenSorted(forward),
    clientDelta,
    // Alloy: a request that profiles over `seconds` gets interval − 1 s on top of scrape_timeout.
    timeoutMs: cfg.scrape_timeout_ms + (query.has('seconds') ? Math.max(0, cfg.scrape_interval_ms - 1000) : 0)
  })
}

/** `seconds` for delta types: interval − 1 s, or delta_profiling_duration when it was changed. */
export function deltaSeconds(cfg: Pick<ExpansionConfig, 'scrape_interval_ms' | 'delta_profiling_duration_ms'>): number {
  if (cfg.delta_profiling_duration_ms !== DEFAULT_DELTA_DURATION_MS) {
    return Math.trunc(cfg.delta_profiling_duration_ms / 1000)
  }
  return Math.trunc(cfg.scrape_interval_ms / 1000) - 1
}

/** service_name when the target has none, in the spec's order (Alloy `inferServiceName`). */
export function inferServiceName(labels: Labels): string {
  const k8sService = labels['__meta_kubernetes_pod_annotation_pyroscope_io_service_name']
  if (k8sService) return k8sService
  const namespace = labels['__meta_kubernetes_namespace']
  const container = labels['__meta_kubernetes_pod_container_name']
  if (namespace && container) return `${namespace}/${container}`
  return (
    labels['__meta_docker_container_name'] ||
    labels['__meta_dockerswarm_container_label_service_name'] ||
    labels['__meta_dockerswarm_service_name'] ||
    'unspecified'
  )
}

/** Labels to show: a password in `__address__` becomes `xxxxx` (the scrape URL keeps it to log in). */
function withRedactedAddress(labels: Labels): Labels {
  const address = labels[ADDRESS_LABEL]
  return address === undefined || !address.includes('@') ? labels : { ...labels, [ADDRESS_LABEL]: redactAddress(address) }
}

/** Labels not starting with `__`: the ones that identify a series. */
export function publicLabels(labels: Labels): MutableLabels {
  const out: MutableLabels = {}
  for (const [name, value] of Object.entries(labels)) if (!name.startsWith('__')) out[name] = value
  return out
}

/** Alloy's rule for both "absent" and the value: an empty label counts as absent, an empty value is not set. */
function setIfAbsent(labels: MutableLabels, name: string, value: string): void {
  if (!labels[name] && value !== '') labels[name] = value
}

function frozenSorted(labels: Labels): Labels {
  // The default sort orders by UTF-16 code units, like sortedLabelEntries' comparator, without calling one.
  const out: MutableLabels = {}
  for (const name of Object.keys(labels).sort()) out[name] = labels[name] ?? ''
  return Object.freeze(out)
}

const SURROGATE = /[\uD800-\uDFFF]/

/** JS strings hold UTF-16; a lone surrogate is what invalid UTF-8 becomes, and cannot be encoded. */
export function isWellFormed(value: string): boolean {
  if (!SURROGATE.test(value)) return true
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)
}

// ---- Address ---------------------------------------------------------------------------------------

/** Go `net.SplitHostPort` succeeds (the port may be empty). */
export function hasHostPort(address: string): boolean {
  const colon = address.lastIndexOf(':')
  if (colon < 0) return false
  let noOpenFrom = 0
  let noCloseFrom = 0
  if (address.startsWith('[')) {
    const end = address.indexOf(']')
    if (end < 0 || end + 1 !== colon) return false
    noOpenFrom = 1
    noCloseFrom = end + 1
  } else if (address.slice(0, colon).includes(':')) {
    return false
  }
  return !address.slice(noOpenFrom).includes('[') && !address.slice(noCloseFrom).includes(']')
}

/** Alloy `addPort`: no port yet, and adding one would make a valid host:port. */
function needsDefaultPort(address: string): boolean {
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

/**
 * Go `url.URL.JoinPath` on a URL without a path: path.Join rules (clean `//`, `.`, `..`), one trailing
 * `/` kept when the last element has one, then Go's path escaping.
 */
export function joinPath(prefix: string, path: string): string {
  let joined = cleanRootedPath(`/${[prefix, path].filter((e) => e !== '').join('/')}`).slice(1)
  if (path.endsWith('/') && !joined.endsWith('/')) joined += '/'
  return joined === '' ? '' : `/${escapePath(joined)}`
}

/** Go `path.Clean` for a path starting with `/`. */
function cleanRootedPath(path: string): string {
  const kept: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') kept.pop()
    else kept.push(segment)
  }
  return `/${kept.join('/')}`
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/
/** Characters Go leaves alone in a path it was given already escaped (`validEncoded`). */
const VALID_IN_ENCODED_PATH = /^(?:[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]]|%[0-9A-Fa-f]{2})*$/

/**
 * Go `URL.EscapedPath` after `setPath`: a path that is already validly escaped stays as written;
 * otherwise it is unescaped and every byte outside Go's path set is percent-encoded. (Go drops a path
 * with a malformed `%`; here such a `%` is escaped instead.)
 */
function escapePath(path: string): string {
  if (VALID_IN_ENCODED_PATH.test(path)) return path
  return percentEncode(percentDecode(path), (c) => UNRESERVED.test(c) || '$&+,/:;=@'.includes(c))
}

/** UTF-8 bytes of `text` with valid `%XX` sequences decoded. */
function percentDecode(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text)
  const out: number[] = []
  for (let i = 0; i < bytes.length; i++) {
    const hex = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0)
    if (bytes[i] === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16))
      i += 2
    } else {
      out.push(bytes[i] as number)
    }
  }
  return Uint8Array.from(out)
}

function percentEncode(bytes: Uint8Array, keep: (char: string) => boolean, space = '%20'): string {
  let out = ''
  for (const byte of bytes) {
    const char = String.fromCharCode(byte)
    if (byte < 0x80 && keep(char)) out += char
    else if (byte === 0x20) out += space
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Go `url.QueryEscape`. */
function queryEscape(text: string): string {
  return percentEncode(new TextEncoder().encode(text), (c) => UNRESERVED.test(c), '+')
}

/** Go `url.Values.Encode`: keys sorted, values in order, `k=v` joined by `&`. */
export function encodeQuery(query: QueryParams): string {
  const parts: string[] = []
  for (const key of [...query.keys()].sort(compareUtf8)) {
    for (const value of query.get(key) ?? []) parts.push(`${queryEscape(key)}=${queryEscape(value)}`)
  }
  return parts.join('&')
}

function copyParams(params: ExpansionConfig['params']): QueryParams {
  return new Map(Object.entries(params ?? {}).map(([k, values]) => [k, [...values]]))
}

function appendParam(params: QueryParams, key: string, value: string): void {
  params.set(key, [...(params.get(key) ?? []), value])
}

