/**
 * Push figures (issue: "profiles per second and CPU per 1,000 pushes of a real-size profile to the receiver on
 * 127.0.0.1, vs. a floor of bare undici POSTs of the same bytes in the same run (goal ≤ 1.3×); memory of a full
 * queue of N profiles (should be the bytes queued plus small overhead)").
 *
 * The receiver (startReceiveServer, no storage) runs in this process; the pushing runs in a child, so its CPU
 * time is the client side alone. The agent's path is ProfileWriter.append (labels prepared, PushRequest
 * encoded) → Endpoint queue → its senders; the floor POSTs the already-encoded PushRequest with undici at the
 * same concurrency. The queue figure is measured in a second child (`--expose-gc`) whose endpoint points at a
 * closed port: nothing leaves the queue, and the heap growth is compared with the bytes queued.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { Registry } from 'prom-client'
import { Agent, request } from 'undici'
import { startReceiveServer } from '../src/components/pyroscope/receive_http/index.js'
import { DEFAULT_CONCURRENCY, Endpoint, ProfileWriter, createWriteMetrics, encodePushRequest, prepareLabels, PUSH_PATH } from '../src/components/pyroscope/write/index.js'
import type { EndpointOptions, WriteMetrics } from '../src/components/pyroscope/write/index.js'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS } from '../src/http/index.js'
import { systemClock } from '../src/util/clock.js'
import { silentLogger } from '../src/util/logger.js'
import { closedPort } from '../test/helpers/free-port.js'
import { childMain, isChildRun, runInChild } from './child.js'
import { goProfiles } from './go-profiles.js'
import type { Benchmark, BenchResult } from './types.js'

const GOAL_RATIO = 1.3
const WARMUP_PUSHES = 400
const ROUNDS = 6
const PUSHES_PER_ROUND = 500
const QUEUE_PROFILES = 1_000
/** A second, larger size for the queue figure: fixed overheads matter less as profiles grow. */
const LARGE_PROFILE_BYTES = 64 * 1024
const EXTERNAL_LABELS = { cluster: 'bench' }
const TARGET_LABELS = { service_name: 'checkout', namespace: 'shop', instance: '10.1.2.3:6060', job: 'pyroscope.scrape.shop', __name__: 'memory', __delta__: 'false' }

interface CpuFigures {
  readonly cpuPer1000: { readonly writer: number; readonly floor: number }
  readonly perSecond: { readonly writer: number; readonly floor: number }
  readonly requestBytes: number
}

interface QueueFigures {
  readonly profiles: number
  readonly profileBytes: number
  readonly queuedBytes: number
  readonly heapGrowthBytes: number
}

function endpointOptions(url: string, overrides: Partial<EndpointOptions> = {}): EndpointOptions {
  return {
    url,
    name: 'bench',
    remote_timeout_ms: 10_000,
    headers: {},
    min_backoff_ms: 500,
    max_backoff_ms: 5_000,
    max_backoff_retries: 10,
    queue_capacity: 10_000,
    userAgent: 'shardscope/bench',
    ...overrides
  }
}

async function measureCpu(baseUrl: string, profile: Buffer): Promise<CpuFigures> {
  const client = createHttpClient(DEFAULT_HTTP_CLIENT_OPTIONS)
  const endpoint = new Endpoint(endpointOptions(baseUrl), { client, clock: systemClock, logger: silentLogger(), metrics: createWriteMetrics(new Registry()) })
  const writer = new ProfileWriter({ endpoints: [endpoint], external_labels: EXTERNAL_LABELS, logger: silentLogger(), clock: systemClock })
  const stop = new AbortController()
  const running = writer.run(stop.signal)
  // The floor sends the bytes the writer sends (the same labels, prepared the same way) without the writer's
  // RawSample.ID: 38 bytes less, and no ID for the receiver to take its identical bodies for replays of one push.
  const prepared = prepareLabels(TARGET_LABELS, EXTERNAL_LABELS)
  if (!prepared.ok) throw new Error(prepared.reason)
  const body = encodePushRequest([{ labels: prepared.labels, samples: [{ raw: profile }] }])
  const floorAgent = new Agent()

  const viaWriter = async (count: number): Promise<void> => {
    const target = endpoint.stats().sent + count
    // Each scrape hands over its own buffer, as the scrape loop does.
    for (let i = 0; i < count; i++) await writer.append(TARGET_LABELS, [{ raw: Buffer.from(profile) }])
    while (endpoint.stats().sent < target) {
      const s = endpoint.stats()
      if (s.dropped_rejected + s.dropped_retries_exhausted + s.dropped_queue_full > 0) throw new Error(`pushes failed: ${JSON.stringify(s)}`)
      await delay(2)
    }
  }
  const floor = async (count: number): Promise<void> => {
    let started = 0
    const worker = async (): Promise<void> => {
      while (started < count) {
        started++
        const res = await request(`${baseUrl}${PUSH_PATH}`, {
          method: 'POST',
          dispatcher: floorAgent,
          headers: { 'content-type': 'application/proto', 'connect-protocol-version': '1' },
          body
        })
        await res.body.dump()
        if (res.statusCode !== 200) throw new Error(`floor POST answered ${res.statusCode}`)
      }
    }
    await Promise.all(Array.from({ length: DEFAULT_CONCURRENCY }, worker))
  }

  const paths = { writer: viaWriter, floor }
  const names = ['writer', 'floor'] as const
  try {
    for (const name of names) await paths[name](WARMUP_PUSHES)
    const cpu = { writer: 0, floor: 0 }
    const wall = { writer: 0, floor: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length] ?? 'floor'
        const before = process.cpuUsage()
        const started = performance.now()
        await paths[name](PUSHES_PER_ROUND)
        wall[name] += performance.now() - started
        const used = process.cpuUsage(before)
        cpu[name] += used.user + used.system
      }
    }
    const pushes = ROUNDS * PUSHES_PER_ROUND
    return {
      cpuPer1000: { writer: cpu.writer / 1e6 / (pushes / 1000), floor: cpu.floor / 1e6 / (pushes / 1000) },
      perSecond: { writer: pushes / (wall.writer / 1000), floor: pushes / (wall.floor / 1000) },
      requestBytes: body.length
    }
  } finally {
    stop.abort()
    await running
    await Promise.all([client.close(), floorAgent.close()])
  }
}

/** Fills a queue that cannot drain and measures the heap it takes (needs --expose-gc). */
async function measureQueue(deadPort: number, profile: Buffer): Promise<QueueFigures> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('the queue figure needs node --expose-gc')
  const client = createHttpClient(DEFAULT_HTTP_CLIENT_OPTIONS)
  const metrics = createWriteMetrics(new Registry())
  const endpoint = new Endpoint(
    endpointOptions(`http://127.0.0.1:${deadPort}`, { queue_capacity: QUEUE_PROFILES, min_backoff_ms: 600_000, max_backoff_ms: 600_000, max_backoff_retries: 0, drain_grace_ms: 0 }),
    { client, clock: systemClock, logger: silentLogger(), metrics }
  )
  const writer = new ProfileWriter({ endpoints: [endpoint], external_labels: {}, logger: silentLogger(), clock: systemClock })
  const stop = new AbortController()
  const running = writer.run(stop.signal)
  // V8 frees array buffer memory on a background sweeper after a collection: collect, let it run, collect again.
  const heap = async (): Promise<number> => {
    gc()
    await delay(50)
    gc()
    const m = process.memoryUsage()
    return m.heapUsed + m.external
  }
  try {
    // One profile first: its failed attempt opens the client's pool and leaves a sender in backoff, so the
    // baseline already holds that machinery and the growth is the queue's alone.
    await writer.append(TARGET_LABELS, [{ raw: Buffer.from(profile) }])
    while ((await attemptsMade(metrics)) < 1) await delay(5)
    const before = await heap()
    let queuedBytes = 0
    for (let i = 1; i < QUEUE_PROFILES; i++) {
      const raw = Buffer.from(profile)
      queuedBytes += raw.length
      await writer.append(TARGET_LABELS, [{ raw }])
    }
    const after = await heap()
    const s = endpoint.stats()
    if (s.queued + s.in_flight !== QUEUE_PROFILES) throw new Error(`expected ${QUEUE_PROFILES} profiles held, got ${JSON.stringify(s)}`)
    return { profiles: QUEUE_PROFILES - 1, profileBytes: profile.length, queuedBytes, heapGrowthBytes: after - before }
  } finally {
    stop.abort()
    await running
    await client.close()
  }
}

async function attemptsMade(metrics: WriteMetrics): Promise<number> {
  const values = (await metrics.pushDuration.get()).values
  return values.find((v) => v.metricName === 'pyroscope_write_push_duration_seconds_count')?.value ?? 0
}

async function childWork(args: readonly string[]): Promise<CpuFigures | QueueFigures> {
  const [mode, portText, file, sizeText] = args
  let profile = await readFile(file ?? '')
  if (sizeText !== undefined) profile = Buffer.alloc(Number(sizeText), profile)
  return mode === 'queue' ? measureQueue(Number(portText), profile) : measureCpu(`http://127.0.0.1:${portText}`, profile)
}

export const run: Benchmark = async () => {
  const profile = (await goProfiles()).snapshots['memory']?.[1]
  if (profile === undefined) throw new Error('no memory profile from the Go target')
  const dir = await mkdtemp(join(tmpdir(), 'shardscope-bench-push-'))
  const file = join(dir, 'profile.pb.gz')
  await writeFile(file, profile)
  const receiver = await startReceiveServer({ host: '127.0.0.1', port: 0, onProfile: async () => undefined, logger: silentLogger() })
  try {
    const cpu = await runInChild<CpuFigures>(import.meta.url, { args: ['cpu', String(receiver.address.port), file], timeoutMs: 120_000 })
    const dead = String(await closedPort())
    const small = await runInChild<QueueFigures>(import.meta.url, { args: ['queue', dead, file], execArgv: ['--expose-gc'], timeoutMs: 60_000 })
    const large = await runInChild<QueueFigures>(import.meta.url, { args: ['queue', dead, file, String(LARGE_PROFILE_BYTES)], execArgv: ['--expose-gc'], timeoutMs: 60_000 })
    return [...cpuResults(cpu, profile.length), ...queueResults(small), ...queueResults(large)]
  } finally {
    await receiver.close()
    await rm(dir, { recursive: true, force: true })
  }
}

function cpuResults(f: CpuFigures, profileBytes: number): BenchResult[] {
  const ratio = f.cpuPer1000.writer / f.cpuPer1000.floor
  return [
    {
      name: `push CPU per 1,000 pushes of a ${(profileBytes / 1024).toFixed(1)} KiB profile (ProfileWriter → Endpoint; floor: undici POST of the same bytes)`,
      value: round(f.cpuPer1000.writer),
      unit: 'cpu s',
      floor: round(f.cpuPer1000.floor),
      ratio: round(ratio),
      goal: `<= ${GOAL_RATIO}x floor`,
      pass: ratio <= GOAL_RATIO
    },
    {
      name: `push throughput to the receiver on 127.0.0.1 (${DEFAULT_CONCURRENCY} in flight; floor: undici POSTs)`,
      value: Math.round(f.perSecond.writer),
      unit: 'profiles/s',
      floor: Math.round(f.perSecond.floor),
      ratio: round(f.perSecond.writer / f.perSecond.floor)
    }
  ]
}

function queueResults(f: QueueFigures): BenchResult[] {
  return [
    {
      name: `push queue heap for ${f.profiles.toLocaleString('en')} queued profiles of ${(f.profileBytes / 1024).toFixed(1)} KiB (floor: the bytes queued)`,
      value: round(f.heapGrowthBytes / 1024 ** 2),
      unit: 'MiB',
      floor: round(f.queuedBytes / 1024 ** 2),
      ratio: round(f.heapGrowthBytes / f.queuedBytes)
    },
    { name: `push queue overhead per profile (${(f.profileBytes / 1024).toFixed(1)} KiB profiles)`, value: Math.round((f.heapGrowthBytes - f.queuedBytes) / f.profiles), unit: 'bytes' }
  ]
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

if (isChildRun(import.meta.url)) childMain(childWork)
