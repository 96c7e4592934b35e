/**
 * The last profile body each scrape loop got, for the UI's flame graphs and downloads (docs/operations.md,
 * "Latest profiles"). Bounded in total: past `maxBytes` the bodies updated longest ago are dropped first, and
 * a body larger than a quarter of the total is not kept (its entry says so), so that one huge profile cannot
 * push out every other. A loop that stops removes its entry. Bodies are kept as sent (gzipped pprof: as
 * scraped, or a cumulative type's delta).
 */
import type { Registry } from 'prom-client'
import type { Counter, Gauge } from 'prom-client'
import { counter, gauge } from '../../../metrics/index.js'
import type { LatestProfileOrigin, LatestProfileSink } from '../../../runtime/index.js'

/** 32 MiB: about a thousand typical Go profiles (10–40 KiB gzipped), a small part of an agent's heap. */
export const DEFAULT_LATEST_PROFILES_BYTES = 32 * 1024 * 1024

export interface LatestProfileInfo extends LatestProfileOrigin {
  readonly bytes: number
  /** Set when the body was not kept (too large); the entry still says when it was scraped. */
  readonly not_kept?: string
}

interface Held {
  readonly info: LatestProfileInfo
  readonly body: Uint8Array | undefined
}

export class LatestProfiles implements LatestProfileSink {
  readonly #maxBytes: number
  /** In update order, oldest first: a Map keeps insertion order, and an update re-inserts. */
  readonly #held = new Map<string, Held>()
  #bytes = 0
  readonly #metrics: { bytes: Gauge; count: Gauge; dropped: Counter<'reason'> } | undefined

  constructor(options: { maxBytes?: number; metrics?: Registry } = {}) {
    this.#maxBytes = options.maxBytes ?? DEFAULT_LATEST_PROFILES_BYTES
    const m = options.metrics
    this.#metrics = m && {
      bytes: gauge(m, 'shardscope_latest_profiles_bytes', 'Bytes of the last profile bodies kept for the UI.', []),
      count: gauge(m, 'shardscope_latest_profiles', 'Last profile bodies kept for the UI.', []),
      dropped: counter(m, 'shardscope_latest_profiles_dropped_total', 'Last profile bodies not kept (too_large) or dropped to stay within the bound (evicted).', ['reason'])
    }
  }

  keep(info: LatestProfileOrigin, body: Uint8Array): void {
    const key = keyOf(info.component, info.id)
    this.#remove(key)
    if (body.byteLength > this.#maxBytes / 4) {
      this.#metrics?.dropped.inc({ reason: 'too_large' })
      const limit = Math.floor(this.#maxBytes / 4)
      this.#held.set(key, { info: { ...info, bytes: body.byteLength, not_kept: `the profile (${body.byteLength} bytes) is larger than the ${limit} bytes kept per profile` }, body: undefined })
    } else {
      // A small body may be a view into a shared pool slab: a copy keeps only its own bytes alive.
      const own = body.byteOffset === 0 && body.buffer.byteLength === body.byteLength ? body : new Uint8Array(body)
      this.#held.set(key, { info: { ...info, bytes: own.byteLength }, body: own })
      this.#bytes += own.byteLength
      this.#evict()
    }
    this.#publish()
  }

  forget(component: string, id: string): void {
    this.#remove(keyOf(component, id))
    this.#publish()
  }

  list(): LatestProfileInfo[] {
    return [...this.#held.values()].map((h) => h.info)
  }

  get(component: string, id: string): { info: LatestProfileInfo; body: Uint8Array | undefined } | undefined {
    return this.#held.get(keyOf(component, id))
  }

  /** Bytes of the bodies held; never more than the bound. */
  bytes(): number {
    return this.#bytes
  }

  #remove(key: string): void {
    const old = this.#held.get(key)
    if (!old) return
    this.#bytes -= old.body?.byteLength ?? 0
    this.#held.delete(key)
  }

  #evict(): void {
    for (const [key, held] of this.#held) {
      if (this.#bytes <= this.#maxBytes) return
      if (held.body === undefined) continue
      this.#remove(key)
      this.#metrics?.dropped.inc({ reason: 'evicted' })
    }
  }

  #publish(): void {
    this.#metrics?.bytes.set(this.#bytes)
    this.#metrics?.count.set(this.#held.size)
  }
}

function keyOf(component: string, id: string): string {
  return `${component}\n${id}`
}
