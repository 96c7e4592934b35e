/**
 * Real pprof bodies for the benchmarks, taken from the Go test target (test/fixtures/go): gzipped, as Go
 * serves them, with the sizes and shapes a small Go service produces. Each type is fetched twice, a moment
 * apart, so that a server can alternate between two snapshots and the agent's client-side delta has real
 * differences to compute. The target is stopped right after: it burns CPU on purpose.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { request } from 'undici'
import { startGoTarget } from '../test/helpers/go-target.js'

/** The five default profile types (docs/components.md) and the Go paths they are scraped from. */
export const GO_PROFILE_PATHS: Readonly<Record<string, string>> = Object.freeze({
  memory: '/debug/pprof/allocs',
  block: '/debug/pprof/block',
  goroutine: '/debug/pprof/goroutine',
  mutex: '/debug/pprof/mutex',
  process_cpu: '/debug/pprof/profile?seconds=1'
})

export interface GoProfiles {
  /** Two gzipped snapshots per profile type, the second taken later than the first. */
  readonly snapshots: Readonly<Record<string, readonly [Buffer, Buffer]>>
}

/** Lets the target's background goroutines record allocations and contention between the snapshots. */
const SNAPSHOT_GAP_MS = 1_000

let cached: Promise<GoProfiles> | undefined

/** Fetches once per process; later calls share the bodies. */
export function goProfiles(): Promise<GoProfiles> {
  cached ??= fetchGoProfiles()
  return cached
}

async function fetchGoProfiles(): Promise<GoProfiles> {
  const target = await startGoTarget({ service: 'bench' })
  try {
    const first = await fetchAll(target.address)
    await delay(SNAPSHOT_GAP_MS)
    const second = await fetchAll(target.address)
    const snapshots: Record<string, readonly [Buffer, Buffer]> = {}
    for (const type of Object.keys(GO_PROFILE_PATHS)) {
      snapshots[type] = [first[type] as Buffer, second[type] as Buffer]
    }
    return { snapshots }
  } finally {
    await target.stop()
  }
}

async function fetchAll(address: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {}
  // In parallel: the CPU profile takes its full second, the others answer at once.
  await Promise.all(
    Object.entries(GO_PROFILE_PATHS).map(async ([type, path]) => {
      out[type] = await fetchBody(`http://${address}${path}`)
    })
  )
  return out
}

async function fetchBody(url: string): Promise<Buffer> {
  const res = await request(url, { signal: AbortSignal.timeout(10_000) })
  const body = Buffer.from(await res.body.arrayBuffer())
  if (res.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${res.statusCode}: ${body.toString('utf8', 0, 200)}`)
  return body
}
