import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import {
  Endpoint,
  createWriteMetrics,
  decodePushRequest,
  prepareSeries
} from '../../../src/components/pyroscope/write/index.js'
import type { EndpointOptions, EndpointStats, PreparedSeries } from '../../../src/components/pyroscope/write/index.js'
import { systemClock } from '../../../src/util/clock.js'
import type { Clock } from '../../../src/util/clock.js'
import { createLogger, silentLogger } from '../../../src/util/logger.js'
import type { Logger } from '../../../src/util/logger.js'
import { listenOnLoopback } from '../../helpers/free-port.js'
import { createTestHttpClient } from '../../helpers/http.js'
import { metricValue } from '../../helpers/metrics.js'
import { startPushServer } from '../../helpers/receiver.js'
import type { PushServer, Reply } from '../../helpers/receiver.js'
import { waitFor } from '../../helpers/wait-for.js'

function series(n: number): PreparedSeries {
  return prepareSeries(
    [
      ['__name__', 'process_cpu'],
      ['service_name', `svc-${n}`]
    ],
    [{ raw: Buffer.from(`profile-${n}`) }]
  )
}

/** Every profile offered to the endpoint is in exactly one bucket. */
function accounted(s: EndpointStats): number {
  return (
    s.sent +
    s.dropped_queue_full +
    s.dropped_retries_exhausted +
    s.dropped_rejected +
    s.dropped_shutdown +
    s.dropped_invalid_labels +
    s.queued +
    s.in_flight
  )
}

interface Harness {
  endpoint: Endpoint
  registry: Registry
  server: PushServer
  /** Starts run(); returns a function that aborts it and waits for the drain to end. */
  start(): () => Promise<void>
}

async function harness(
  t: TestContext,
  replies: Reply[],
  options: Partial<EndpointOptions> = {},
  logger: Logger = silentLogger()
): Promise<Harness> {
  const server = await startPushServer(replies)
  const client = createTestHttpClient()
  const registry = new Registry()
  const endpoint = new Endpoint(
    {
      url: server.url,
      name: 'test',
      remote_timeout_ms: 5_000,
      headers: {},
      min_backoff_ms: 10,
      max_backoff_ms: 20,
      max_backoff_retries: 10,
      queue_capacity: 100,
      userAgent: 'shardscope/test',
      drain_grace_ms: 2_000,
      ...options
    },
    { client, clock: systemClock, random: () => 0, logger, metrics: createWriteMetrics(registry) }
  )
  const controllers: AbortController[] = []
  const runs: Promise<void>[] = []
  t.after(async () => {
    for (const c of controllers) c.abort()
    await Promise.all(runs)
    await client.close()
    await server.close()
  })
  return {
    endpoint,
    registry,
    server,
    start: () => {
      const controller = new AbortController()
      controllers.push(controller)
      const run = endpoint.run(controller.signal)
      runs.push(run)
      return async () => {
        controller.abort()
        await run
      }
    }
  }
}

describe('Endpoint', () => {
  it('retries a 500 and counts the profile as sent when the next attempt succeeds', async (t) => {
    const h = await harness(t, [{ status: 500, body: 'overloaded' }, { status: 200 }])
    const stop = h.start()
    assert.equal(h.endpoint.enqueue(series(1)), true)
    await waitFor(() => h.endpoint.stats().sent === 1)
    await stop()
    assert.equal(h.server.requests.length, 2)
    assert.deepEqual(h.server.requests[0]?.body, h.server.requests[1]?.body)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_sent_profiles_total', { endpoint: h.server.url }), 1)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_retries_total', { endpoint: h.server.url }), 1)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_sent_bytes_total', { endpoint: h.server.url }), h.server.requests[1]?.body.length)
    assert.equal(accounted(h.endpoint.stats()), 1)
  })

  it('never retries a 400: exactly one request, counted as rejected', async (t) => {
    const h = await harness(t, [{ status: 400, body: '{"code":"invalid_argument","message":"no"}' }, { status: 200 }])
    const stop = h.start()
    h.endpoint.enqueue(series(1))
    await waitFor(() => h.endpoint.stats().dropped_rejected === 1)
    await stop()
    assert.equal(h.server.requests.length, 1)
    assert.equal(h.endpoint.stats().sent, 0)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_dropped_profiles_total', { endpoint: h.server.url, reason: 'rejected' }), 1)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_dropped_bytes_total', { endpoint: h.server.url, reason: 'rejected' }), h.server.requests[0]?.body.length)
    assert.equal(accounted(h.endpoint.stats()), 1)
  })

  it('makes exactly max_backoff_retries attempts on an always-failing endpoint, then drops the profile', async (t) => {
    const h = await harness(t, [{ status: 500 }], { max_backoff_retries: 3 })
    const stop = h.start()
    h.endpoint.enqueue(series(1))
    await waitFor(() => h.endpoint.stats().dropped_retries_exhausted === 1)
    await stop()
    assert.equal(h.server.requests.length, 3)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_retries_total', { endpoint: h.server.url }), 2)
    assert.equal(
      await metricValue(h.registry, 'pyroscope_write_dropped_profiles_total', { endpoint: h.server.url, reason: 'retries_exhausted' }),
      1
    )
    assert.equal(accounted(h.endpoint.stats()), 1)
  })

  it('waits at least the Retry-After of a 429 before the next attempt', async (t) => {
    const h = await harness(t, [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }])
    const stop = h.start()
    h.endpoint.enqueue(series(1))
    await waitFor(() => h.endpoint.stats().sent === 1, { timeoutMs: 5_000 })
    await stop()
    const [first, second] = h.server.requests
    assert.ok(first !== undefined && second !== undefined)
    // Backoff alone would be 10 ms; the header asked for 1 s.
    assert.ok(second.receivedAt - first.receivedAt >= 995, `waited ${second.receivedAt - first.receivedAt} ms`)
  })

  it('gives each attempt its own remote_timeout and retries a server that never answers', async (t) => {
    const h = await harness(t, ['hang'], { remote_timeout_ms: 150, max_backoff_retries: 2 })
    const stop = h.start()
    h.endpoint.enqueue(series(1))
    await waitFor(() => h.endpoint.stats().dropped_retries_exhausted === 1)
    await stop()
    assert.equal(h.server.requests.length, 2)
    for (const r of h.server.requests) assert.equal(r.headers['connect-timeout-ms'], '150')
    assert.equal(accounted(h.endpoint.stats()), 1)
  })

  it('drops and counts what does not fit in the queue', async (t) => {
    const h = await harness(t, [{ status: 200 }], { queue_capacity: 2 })
    const accepted = [1, 2, 3, 4, 5].map((n) => h.endpoint.enqueue(series(n)))
    assert.deepEqual(accepted, [true, true, false, false, false])
    assert.equal(h.endpoint.stats().dropped_queue_full, 3)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_queue_length', { endpoint: h.server.url }), 2)
    const stop = h.start()
    await waitFor(() => h.endpoint.stats().sent === 2)
    await stop()
    assert.equal(await metricValue(h.registry, 'pyroscope_write_dropped_profiles_total', { endpoint: h.server.url, reason: 'queue_full' }), 3)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_queue_length', { endpoint: h.server.url }), 0)
    assert.equal(accounted(h.endpoint.stats()), 5)
  })

  it('sends what is queued when shutdown starts, within the grace period', async (t) => {
    const h = await harness(t, [{ status: 200 }])
    for (const n of [1, 2, 3]) h.endpoint.enqueue(series(n))
    const stop = h.start()
    await stop()
    assert.equal(h.endpoint.stats().sent, 3)
    assert.equal(h.endpoint.enqueue(series(4)), false, 'a stopped endpoint takes nothing new')
    assert.equal(h.endpoint.stats().dropped_shutdown, 1)
    assert.equal(accounted(h.endpoint.stats()), 4)
  })

  it('counts what is in flight or queued when the grace period ends as dropped(shutdown)', async (t) => {
    const h = await harness(t, ['hang'], { concurrency: 1, drain_grace_ms: 200, remote_timeout_ms: 60_000 })
    const stop = h.start()
    for (const n of [1, 2, 3, 4]) h.endpoint.enqueue(series(n))
    await h.server.waitForRequests(1)
    // All four were queued before the sender woke, so they travel in the one (hanging) request.
    assert.equal(h.endpoint.stats().in_flight, 4)
    await stop()
    const stats = h.endpoint.stats()
    assert.equal(stats.dropped_shutdown, 4)
    assert.equal(stats.in_flight + stats.queued, 0)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_dropped_profiles_total', { endpoint: h.server.url, reason: 'shutdown' }), 4)
    assert.equal(accounted(stats), 4)
  })

  it('sends what is queued together in one PushRequest, each profile its own series, counted one by one', async (t) => {
    const h = await harness(t, [{ status: 200 }], { concurrency: 1 })
    for (const n of [1, 2, 3, 4, 5]) h.endpoint.enqueue(series(n))
    await h.start()()
    assert.equal(h.server.requests.length, 1)
    const decoded = decodePushRequest(h.server.requests[0]?.body ?? Buffer.alloc(0))
    assert.ok(decoded.ok)
    assert.deepEqual(
      decoded.series.map((s) => s.labels.find(([k]) => k === 'service_name')?.[1]),
      ['svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5']
    )
    assert.deepEqual(decoded.series.map((s) => Buffer.from(s.samples[0]?.raw ?? []).toString()), ['profile-1', 'profile-2', 'profile-3', 'profile-4', 'profile-5'])
    assert.equal(h.endpoint.stats().sent, 5)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_sent_profiles_total', { endpoint: h.server.url }), 5)
  })

  it('pushes each profile of a refused batch on its own, so only the bad one is rejected', async (t) => {
    // Refuses (400) any request holding svc-3, as a server refusing one invalid profile refuses its whole request.
    const requests: string[][] = []
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const decoded = decodePushRequest(Buffer.concat(chunks))
        const names = decoded.ok ? decoded.series.map((s) => s.labels.find(([k]) => k === 'service_name')?.[1] ?? '') : []
        requests.push(names)
        if (names.includes('svc-3')) res.writeHead(400).end('{"code":"invalid_argument","message":"svc-3 is bad"}')
        else res.writeHead(200).end()
      })
    })
    const listening = await listenOnLoopback(server)
    t.after(listening.close)
    const url = `http://127.0.0.1:${listening.port}`
    const h = await harness(t, [{ status: 200 }], { concurrency: 1, url })
    for (const n of [1, 2, 3, 4, 5]) h.endpoint.enqueue(series(n))
    await h.start()()
    assert.deepEqual(requests, [['svc-1', 'svc-2', 'svc-3', 'svc-4', 'svc-5'], ['svc-1'], ['svc-2'], ['svc-3'], ['svc-4'], ['svc-5']])
    const stats = h.endpoint.stats()
    assert.equal(stats.sent, 4)
    assert.equal(stats.dropped_rejected, 1)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_sent_profiles_total', { endpoint: url }), 4)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_dropped_profiles_total', { endpoint: url, reason: 'rejected' }), 1)
    assert.equal(accounted(stats), 5)
  })

  it('still counts the queue, cancels the grace timer and rejects when a sender fails', async (t) => {
    // A clock whose short sleeps (the backoff) fail: the only sender dies on its first retry.
    const failingBackoff: Clock = {
      now: () => systemClock.now(),
      sleep: (ms, signal) => (ms < 1_000 ? Promise.reject(new Error('clock broke')) : systemClock.sleep(ms, signal))
    }
    const server = await startPushServer([{ status: 500 }])
    const client = createTestHttpClient()
    t.after(async () => {
      await client.close()
      await server.close()
    })
    const endpoint = new Endpoint(
      {
        url: server.url,
        name: 'test',
        remote_timeout_ms: 5_000,
        headers: {},
        min_backoff_ms: 10,
        max_backoff_ms: 20,
        max_backoff_retries: 0,
        queue_capacity: 100,
        userAgent: 'shardscope/test',
        concurrency: 1,
        drain_grace_ms: 60_000
      },
      { client, clock: failingBackoff, random: () => 0, logger: silentLogger(), metrics: createWriteMetrics(new Registry()) }
    )
    const controller = new AbortController()
    const run = endpoint.run(controller.signal)
    endpoint.enqueue(series(1))
    await server.waitForRequests(1)
    await waitFor(() => endpoint.stats().in_flight === 0)
    endpoint.enqueue(series(2))
    endpoint.enqueue(series(3))
    controller.abort()
    const started = performance.now()
    await assert.rejects(run, /clock broke/)
    // Without the clean-up the run would either end before counting or wait out the 60 s grace period.
    assert.ok(performance.now() - started < 5_000)
    const stats = endpoint.stats()
    assert.equal(stats.queued, 0)
    assert.equal(stats.dropped_shutdown, 2)
  })

  it('logs a flood of drops as a few aggregated lines that still carry the full count', async (t) => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter((l) => l !== ''))
        done()
      }
    })
    const logger = createLogger({ format: 'json', destination: sink, level: 'warn' })
    const h = await harness(t, [{ status: 200 }], { queue_capacity: 1 }, logger)
    for (let n = 0; n < 101; n++) h.endpoint.enqueue(series(n))
    await h.start()()
    await waitFor(() => lines.length > 0)
    const drops = lines.map((l) => JSON.parse(l) as { reason?: string; dropped?: number }).filter((r) => r.reason === 'queue_full')
    assert.ok(drops.length <= 2, `${drops.length} log lines`)
    assert.equal(
      drops.reduce((sum, r) => sum + (r.dropped ?? 0), 0),
      100
    )
  })

  it('tolerates its metrics being created twice on one registry', () => {
    const registry = new Registry()
    const a = createWriteMetrics(registry)
    const b = createWriteMetrics(registry)
    a.sent.inc({ endpoint: 'x' })
    assert.equal(a.sent, b.sent)
  })
})
