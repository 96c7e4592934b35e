/**
 * One refresh of Prometheus' HTTP service discovery: GET the URL, expect 200 and a JSON body
 * `[{"targets": ["host:port", ...], "labels": {"k": "v"}}, ...]`, and turn it into Alloy's flat target list
 * (each target's labels are its group's labels plus `__address__` and `__meta_url`), like Prometheus'
 * http_sd and Alloy's discovery.http.
 */
import type { HttpClient } from '../../../http/index.js'
import { redactUrl } from '../../../http/index.js'
import type { Labels } from '../../../util/labels.js'

/** Responses above this size are refused: a target list is small, and a runaway server must not exhaust memory. */
export const MAX_SD_RESPONSE_BYTES = 16 * 1024 * 1024

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError'
}

export async function refreshHttpSd(client: HttpClient, url: string, signal: AbortSignal, refreshIntervalMs = 60_000): Promise<Labels[]> {
  const res = await client.request(url, {
    method: 'GET',
    // As Prometheus: SD servers may use it to size caches.
    headers: { accept: 'application/json', 'x-prometheus-refresh-interval-seconds': String(refreshIntervalMs / 1000) },
    signal
  })
  let text: string
  try {
    if (res.statusCode !== 200) throw new DiscoveryError(`server returned HTTP status ${res.statusCode}`)
    const contentType = String(res.headers['content-type'] ?? '')
    if (!/^application\/json(;|$)/i.test(contentType.trim())) {
      throw new DiscoveryError(`unsupported content type ${JSON.stringify(contentType)}, expected application/json`)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length
      if (size > MAX_SD_RESPONSE_BYTES) throw new DiscoveryError(`response larger than ${MAX_SD_RESPONSE_BYTES} bytes`)
      chunks.push(chunk as Buffer)
    }
    text = Buffer.concat(chunks).toString('utf8')
  } finally {
    // Discard what was not read. dump() drains and closes the body without an unhandled 'error' event
    // (destroying an unread undici body emits one, which would crash the process).
    if (!res.body.destroyed) await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new DiscoveryError(`invalid JSON: ${(err as Error).message}`)
  }
  return parseTargetGroups(doc, redactUrl(url))
}

/** Validates the http_sd document and flattens it. Pure. */
export function parseTargetGroups(doc: unknown, url: string): Labels[] {
  if (!Array.isArray(doc)) throw new DiscoveryError('expected a JSON array of target groups')
  const out: Labels[] = []
  doc.forEach((group: unknown, i) => {
    if (typeof group !== 'object' || group === null || Array.isArray(group)) {
      throw new DiscoveryError(`target group ${i}: expected an object`)
    }
    const { targets: listed, labels } = group as { targets?: unknown; labels?: unknown }
    // Prometheus treats a missing or null list as a group without targets.
    const targets = listed ?? []
    if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) {
      throw new DiscoveryError(`target group ${i}: "targets" must be a list of strings`)
    }
    const groupLabels: Record<string, string> = {}
    if (labels !== undefined && labels !== null) {
      if (typeof labels !== 'object' || Array.isArray(labels)) throw new DiscoveryError(`target group ${i}: "labels" must be an object`)
      for (const [k, v] of Object.entries(labels)) {
        if (typeof v !== 'string') throw new DiscoveryError(`target group ${i}: label ${JSON.stringify(k)} must be a string`)
        groupLabels[k] = v
      }
    }
    for (const address of targets as string[]) {
      out.push(Object.freeze({ ...groupLabels, __meta_url: url, __address__: address }))
    }
  })
  return out
}
