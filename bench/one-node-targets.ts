/**
 * The fleet the one-node benchmark scrapes: N targets on a few local ports, told apart by
 * `__profile_path_prefix__` (`/t/<i>`), every one serving the five default profile types from real Go
 * snapshots. Each request is recorded against its scheduled point (docs/scrape-timing.md: `k * interval + key mod
 * interval`), so the server can tell scrapes done, missing and late without trusting the agent's counters.
 */
import { createServer } from 'node:http'
import { phaseMs } from '../src/components/pyroscope/scrape/offset.js'
import type { KeyHasher } from '../src/util/label-hash.js'
import { listenOnLoopback } from '../test/helpers/free-port.js'
import type { Listening } from '../test/helpers/free-port.js'
import { GO_PROFILE_PATHS } from './go-profiles.js'
import type { GoProfiles } from './go-profiles.js'
import { alternating, startProfileServer } from './profile-server.js'
import type { ProfileServer } from './profile-server.js'

export interface FleetTarget {
  readonly labels: Readonly<Record<string, string>>
  readonly phaseMs: number
}

export interface WindowCounts {
  readonly expected: number
  readonly done: number
  /** Started more than `lateAfterMs` after their point (seen at the server). */
  readonly late: number
  /** Arrival delay after the scheduled point, in ms. */
  readonly delayP50Ms: number
  readonly delayP99Ms: number
  readonly delayMaxMs: number
}

/** `/t/<i>/debug/pprof/<name>` → target index and profile type. */
const REQUEST_PATH = /^\/t\/(\d+)(\/debug\/pprof\/[a-z]+)/
const TYPE_BY_PATH = new Map(Object.entries(GO_PROFILE_PATHS).map(([type, path]) => [path.split('?')[0] ?? path, type]))

export function fleetTargets(count: number, ports: readonly number[], hasher: KeyHasher, intervalMs: number): FleetTarget[] {
  return Array.from({ length: count }, (_, i) => {
    const labels = {
      __address__: `127.0.0.1:${ports[i % ports.length]}`,
      service_name: `bench/service-${i}`,
      __profile_path_prefix__: `/t/${i}`
    }
    return { labels, phaseMs: phaseMs(hasher.targetKey(labels), intervalMs) }
  })
}

/** Records every scrape's arrival time (epoch ms) per "<target>:<type>". */
export class ScrapeLog {
  readonly arrivals = new Map<string, number[]>()

  record(target: number, type: string, atMs: number): void {
    const key = `${target}:${type}`
    const list = this.arrivals.get(key)
    if (list === undefined) this.arrivals.set(key, [atMs])
    else list.push(atMs)
  }

  /** Counts over the scheduled points in [fromMs, toMs), each (target, type) once per point. */
  window(targets: readonly FleetTarget[], types: readonly string[], intervalMs: number, fromMs: number, toMs: number, lateAfterMs: number): WindowCounts {
    let expected = 0
    let done = 0
    let late = 0
    const delays: number[] = []
    targets.forEach((target, i) => {
      const points = pointsBetween(target.phaseMs, intervalMs, fromMs, toMs)
      expected += points * types.length
      for (const type of types) {
        const seen = new Set<number>()
        for (const at of this.arrivals.get(`${i}:${type}`) ?? []) {
          const point = at - mod(at - target.phaseMs, intervalMs)
          if (point < fromMs || point >= toMs || seen.has(point)) continue
          seen.add(point)
          done++
          delays.push(at - point)
          if (at - point > lateAfterMs) late++
        }
      }
    })
    delays.sort((a, b) => a - b)
    const at = (q: number): number => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? 0
    return { expected, done, late, delayP50Ms: at(0.5), delayP99Ms: at(0.99), delayMaxMs: delays[delays.length - 1] ?? 0 }
  }
}

/** Servers on `portCount` ports answering every target's five profile types, recording into `log`. */
export async function startFleetServers(portCount: number, profiles: GoProfiles, log: ScrapeLog, now: () => number): Promise<ProfileServer[]> {
  const next = new Map(Object.entries(profiles.snapshots).map(([type, pair]) => [type, alternating(pair)]))
  const choose = (url: string): Buffer | undefined => {
    const match = REQUEST_PATH.exec(url)
    const type = match?.[2] !== undefined ? TYPE_BY_PATH.get(match[2]) : undefined
    if (match === null || type === undefined) return undefined
    log.record(Number(match[1]), type, now())
    return next.get(type)?.(`${match[1]}:${type}`)
  }
  return Promise.all(Array.from({ length: portCount }, () => startProfileServer(choose)))
}

export interface PushCounter {
  readonly port: number
  /** Arrival times (epoch ms) of every push. */
  readonly arrivals: number[]
  close(): Promise<void>
}

/** A minimal Pyroscope stand-in: reads each push and answers 200, recording when it arrived. */
export async function startPushCounter(now: () => number): Promise<PushCounter> {
  const arrivals: number[] = []
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      arrivals.push(now())
      res.writeHead(200, { 'content-type': 'application/proto' }).end()
    })
  })
  server.keepAliveTimeout = 60_000
  const listening: Listening = await listenOnLoopback(server)
  return { port: listening.port, arrivals, close: () => listening.close() }
}

function pointsBetween(phase: number, intervalMs: number, fromMs: number, toMs: number): number {
  let count = 0
  for (let at = fromMs + mod(phase - fromMs, intervalMs); at < toMs; at += intervalMs) count++
  return count
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n
}
