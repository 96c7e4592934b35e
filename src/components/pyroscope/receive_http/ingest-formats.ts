/**
 * The bodies of the legacy `/ingest` API turned into pprof bytes for the push API: pprof (raw, or the
 * `profile` part of a multipart form with an optional `sample_type_config`), and collapsed stacks
 * (`folded`: `a;b;c 12` per line, root first; `lines`: one stack per line, counted once). JFR and the old
 * trie/tree formats are refused (415). See docs/alloy-compatibility.md.
 */
import { checkProfileAsync, collapsedToPprofAsync } from '../../../pprof/index.js'
import { SUFFIX_PROFILE_NAMES } from './ingest-name.js'
import type { IngestName } from './ingest-name.js'

export interface IngestQuery {
  readonly format: string
  readonly sampleRate: number
  readonly units: string
  readonly from: number | undefined
  readonly until: number | undefined
}

export type IngestDecoded =
  | { readonly ok: true; readonly raw: Uint8Array; readonly profileName: string }
  | { readonly ok: false; readonly status: number; readonly reason: string }

export interface IngestBody {
  readonly bytes: Buffer
  readonly contentType: string
}

const DEFAULT_SAMPLE_RATE = 100

export function ingestQuery(params: URLSearchParams): IngestQuery {
  const rate = Number(params.get('sampleRate') ?? '')
  const seconds = (key: string): number | undefined => {
    const n = Number(params.get(key) ?? '')
    return params.has(key) && Number.isFinite(n) && n > 0 ? n : undefined
  }
  return {
    format: (params.get('format') ?? '').toLowerCase(),
    sampleRate: Number.isFinite(rate) && rate > 0 ? rate : DEFAULT_SAMPLE_RATE,
    units: (params.get('units') ?? '').toLowerCase(),
    from: seconds('from'),
    until: seconds('until')
  }
}

export async function decodeIngestBody(
  body: IngestBody,
  name: IngestName,
  query: IngestQuery,
  maxDecompressedBytes: number
): Promise<IngestDecoded> {
  const multipart = body.contentType.toLowerCase().startsWith('multipart/form-data')
  const format = query.format === '' ? (multipart ? 'pprof' : 'folded') : query.format
  switch (format) {
    case 'pprof':
      return multipart ? fromMultipart(body, name, maxDecompressedBytes) : fromPprof(body.bytes, name, {}, maxDecompressedBytes)
    case 'folded':
    case 'collapsed':
    case 'lines':
      return fromCollapsed(body.bytes, format === 'lines', name, query)
    case 'jfr':
      return refuse(415, 'format=jfr is not supported: there is no JFR reader here; send pprof (the Java SDK can be set to pprof) or push to Pyroscope directly')
    default:
      return refuse(415, `unsupported format ${JSON.stringify(format)}; supported: pprof, folded, lines`)
  }
}

function refuse(status: number, reason: string): IngestDecoded {
  return { ok: false, status, reason }
}

interface SampleTypeConfig {
  readonly [sampleType: string]: { readonly 'display-name'?: unknown } | undefined
}

async function fromMultipart(body: IngestBody, name: IngestName, maxDecompressed: number): Promise<IngestDecoded> {
  let form: FormData
  try {
    form = await new Response(body.bytes, { headers: { 'content-type': body.contentType } }).formData()
  } catch (error) {
    return refuse(400, `malformed multipart body: ${(error as Error).message}`)
  }
  const profile = form.get('profile')
  if (profile === null) return refuse(400, 'the multipart form has no "profile" part')
  const prev = form.get('prev_profile')
  if (prev !== null && (await partBytes(prev)).length > 0) {
    return refuse(400, 'prev_profile (a cumulative profile to subtract) is not supported: send delta profiles')
  }
  let config: SampleTypeConfig = {}
  const configPart = form.get('sample_type_config')
  if (configPart !== null) {
    try {
      const parsed: unknown = JSON.parse((await partBytes(configPart)).toString('utf8'))
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object')
      config = parsed as SampleTypeConfig
    } catch (error) {
      return refuse(400, `invalid sample_type_config: ${(error as Error).message}`)
    }
  }
  return fromPprof(await partBytes(profile), name, config, maxDecompressed)
}

async function partBytes(part: string | Blob): Promise<Buffer> {
  return typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(await part.arrayBuffer())
}

/**
 * Checks the pprof (a large or gzipped one on the check worker, counted as it is inflated:
 * docs/hostile-input.md), renames sample types per `display-name` and names the profile. The profile is
 * decoded on this thread only to rename, and re-encoded then.
 */
async function fromPprof(bytes: Buffer, name: IngestName, config: SampleTypeConfig, maxDecompressed: number): Promise<IngestDecoded> {
  if (bytes.length === 0) return refuse(400, 'the profile is empty')
  const displayName = (type: string): string | undefined => {
    const display = Object.hasOwn(config, type) ? config[type]?.['display-name'] : undefined
    return typeof display === 'string' && display !== '' && display !== type ? display : undefined
  }
  const mayRename = Object.keys(config).some((type) => displayName(type) !== undefined)
  const checked = await checkProfileAsync(bytes, 'application/octet-stream', { maxDecompressedBytes: maxDecompressed, keepProfile: mayRename })
  if (!checked.ok) return refuse(400, checked.reason)
  const typeNames = checked.summary.sampleTypes
  const renames = typeNames.map(displayName)
  if (renames.every((r) => r === undefined)) return { ok: true, raw: bytes, profileName: profileNameOf(name, typeNames) }
  const profile = checked.profile
  profile.sampleType.forEach((t, i) => {
    const display = renames[i]
    if (display !== undefined) t.type = profile.stringTable.dedup(display)
  })
  return { ok: true, raw: profile.encode(), profileName: profileNameOf(name, typeNames.map((t, i) => renames[i] ?? t)) }
}

/** Sample types that name a profile kind (Node's heap profile has `objects` and `space`). */
const SAMPLE_TYPE_PROFILE_NAMES: Readonly<Record<string, string>> = {
  ...SUFFIX_PROFILE_NAMES,
  objects: 'memory',
  space: 'memory',
  contentions: 'mutex',
  delay: 'mutex'
}

/**
 * The push API's `__name__`: from the name's suffix, else from the profile's sample types: a specific one
 * first (`wall`, `alloc_space`, …), then a generic CPU one (`cpu`, `samples`, `sample`), else the first.
 */
export function profileNameOf(name: IngestName, sampleTypes: readonly string[]): string {
  if (name.suffix !== undefined) return SUFFIX_PROFILE_NAMES[name.suffix] ?? name.suffix
  for (const t of sampleTypes) {
    const known = SAMPLE_TYPE_PROFILE_NAMES[t]
    if (known !== undefined && Object.hasOwn(SAMPLE_TYPE_PROFILE_NAMES, t)) return known
  }
  if (sampleTypes.some((t) => t === 'cpu' || t === 'samples' || t === 'sample')) return 'process_cpu'
  return sampleTypes[0] !== undefined && sampleTypes[0] !== '' ? sampleTypes[0] : 'process_cpu'
}

/** Collapsed stacks → one pprof, off the event loop when large (pprof/collapsed.ts). */
async function fromCollapsed(bytes: Buffer, lines: boolean, name: IngestName, query: IngestQuery): Promise<IngestDecoded> {
  const converted = await collapsedToPprofAsync(bytes, {
    lines,
    profileName: profileNameOf(name, []),
    valueType: name.suffix ?? 'samples',
    unit: query.units === 'bytes' ? 'bytes' : 'count',
    sampleRate: query.sampleRate,
    fromSeconds: query.from,
    untilSeconds: query.until
  })
  return converted.ok ? { ok: true, raw: converted.raw, profileName: profileNameOf(name, []) } : refuse(400, converted.reason)
}
