/**
 * The legacy `/ingest` `name` query parameter, `app.cpu{env=prod,region="eu"}`: an application name, an
 * optional profile-type suffix after the last dot, and optional tags. See docs/alloy-compatibility.md.
 */

export interface IngestName {
  /** The whole name before `{`, suffix included (`app.cpu`): Alloy's `__name__`. */
  readonly fullName: string
  /** The name without a known profile-type suffix (`app`). */
  readonly appName: string
  /** The known suffix (`cpu`), or undefined when the name has none. */
  readonly suffix: string | undefined
  readonly tags: Readonly<Record<string, string>>
}

/**
 * Suffixes the SDKs append to the application name, and the Pyroscope profile name (`__name__` of the push
 * API) each one stands for.
 */
export const SUFFIX_PROFILE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  cpu: 'process_cpu',
  itimer: 'process_cpu',
  wall: 'wall',
  alloc_objects: 'memory',
  alloc_space: 'memory',
  inuse_objects: 'memory',
  inuse_space: 'memory',
  goroutines: 'goroutine',
  goroutine: 'goroutine',
  mutex_count: 'mutex',
  mutex_duration: 'mutex',
  block_count: 'block',
  block_duration: 'block',
  lock_count: 'mutex',
  lock_duration: 'mutex',
  alloc_in_new_tlab_objects: 'memory',
  alloc_in_new_tlab_bytes: 'memory',
  exceptions: 'exceptions'
})

const MAX_NAME_LENGTH = 16 * 1024

export type IngestNameResult = { ok: true; name: IngestName } | { ok: false; reason: string }

export function parseIngestName(text: string): IngestNameResult {
  if (text.length > MAX_NAME_LENGTH) return { ok: false, reason: `name is longer than ${MAX_NAME_LENGTH} characters` }
  const open = text.indexOf('{')
  const fullName = (open < 0 ? text : text.slice(0, open)).trim()
  if (fullName === '') return { ok: false, reason: 'name has no application name before its tags' }
  let tags: Record<string, string> = {}
  if (open >= 0) {
    if (!text.trimEnd().endsWith('}')) return { ok: false, reason: `name ${JSON.stringify(text)} has a "{" without a closing "}"` }
    const parsed = parseTags(text.trimEnd().slice(open + 1, -1))
    if (typeof parsed === 'string') return { ok: false, reason: parsed }
    tags = parsed
  }
  const dot = fullName.lastIndexOf('.')
  const tail = dot < 0 ? undefined : fullName.slice(dot + 1)
  const suffix = tail !== undefined && Object.hasOwn(SUFFIX_PROFILE_NAMES, tail) ? tail : undefined
  const appName = suffix === undefined ? fullName : fullName.slice(0, dot)
  return { ok: true, name: { fullName, appName, suffix, tags } }
}

/** `k=v,k2="v 2"` → a record; a string is the reason it is not valid. */
function parseTags(body: string): Record<string, string> | string {
  const tags: Record<string, string> = {}
  let i = 0
  const skipSpace = (): void => {
    while (i < body.length && /\s/.test(body[i] ?? '')) i++
  }
  skipSpace()
  while (i < body.length) {
    const eq = body.indexOf('=', i)
    const comma = body.indexOf(',', i)
    if (eq < 0 || (comma >= 0 && comma < eq)) {
      // A segment without "=" is skipped, as Pyroscope's labelset parser does (Alloy's "invalid labels still
      // forward profile" case).
      if (comma < 0) break
      i = comma + 1
      skipSpace()
      continue
    }
    const key = body.slice(i, eq).trim()
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) return `invalid tag name ${JSON.stringify(key)}`
    i = eq + 1
    skipSpace()
    let value: string
    if (body[i] === '"') {
      let end = i + 1
      let out = ''
      while (end < body.length && body[end] !== '"') {
        if (body[end] === '\\' && end + 1 < body.length) end++
        out += body[end]
        end++
      }
      if (end >= body.length) return `tag ${key} has an unterminated quoted value`
      value = out
      i = end + 1
      skipSpace()
    } else {
      const comma = body.indexOf(',', i)
      const end = comma < 0 ? body.length : comma
      value = body.slice(i, end).trim()
      i = end
    }
    if (Object.hasOwn(tags, key)) return `duplicate tag ${key}`
    tags[key] = value
    if (i < body.length) {
      if (body[i] !== ',') return `expected "," after tag ${key}`
      i++
      skipSpace()
    }
  }
  return tags
}

/**
 * The labels an `/ingest` upload is forwarded with, as Alloy's `ensureServiceName` would make them but with
 * the application name (suffix removed) rather than the whole name: no `service_name` tag → `service_name`
 * is the application name; one given → the application name goes to `app_name`. `__name__` is the Pyroscope
 * profile name of the suffix, or `fallbackProfileName` (read from the profile) when the name has none.
 */
export function ingestLabels(name: IngestName, fallbackProfileName: string): Record<string, string> {
  const labels: Record<string, string> = { ...name.tags }
  labels['__name__'] = name.suffix === undefined ? fallbackProfileName : (SUFFIX_PROFILE_NAMES[name.suffix] ?? name.suffix)
  if (labels['service_name'] === undefined || labels['service_name'] === '') labels['service_name'] = name.appName
  else labels['app_name'] = name.appName
  return labels
}

/** Alloy's ensureServiceName for the push API: `service_name` from `__name__`, or `app_name` when it is there. */
export function ensureServiceName(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const original = labels['__name__'] ?? ''
  const out: Record<string, string> = { ...labels }
  const target = labels['service_name'] === undefined ? 'service_name' : 'app_name'
  // Prometheus' labels.Builder drops a label set to "".
  if (original === '') delete out[target]
  else out[target] = original
  return Object.freeze(out)
}
