import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { createWriteMetrics } from '../../../../../src/components/pyroscope/write/metrics.js'
import type { AttemptOutcome } from '../../../../../src/components/pyroscope/write/push-attempt.js'
import { RetryingPush } from '../../../../../src/components/pyroscope/write/retrying-push.js'
import type { RetriedOutcome, RetryPolicy } from '../../../../../src/components/pyroscope/write/retrying-push.js'
import { createLogger } from '../../../../../src/util/logger.js'
import { ManualClock, settle } from '../../../../helpers/fake-clock.js'
import { metricValue } from '../../../../helpers/metrics.js'

const LABEL = 'http://pyroscope.test'
const BODY = new Uint8Array([1, 2, 3])

/** A RetryingPush over a transport that answers the given outcomes in turn (the last one again once they run out). */
function harness(outcomes: readonly AttemptOutcome[], policy: Partial<RetryPolicy> = {}) {
  const clock = new ManualClock(1_000_000)
  const registry = new Registry()
  const lines: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    }
  })
  const attemptsAt: number[] = []
  const bodies: Uint8Array[] = []
  const push = new RetryingPush({
    transport: (body) => {
      attemptsAt.push(clock.now() - 1_000_000)
      bodies.push(body)
      return Promise.resolve(outcomes[Math.min(attemptsAt.length, outcomes.length) - 1] as AttemptOutcome)
    },
    policy: { minBackoffMs: 100, maxBackoffMs: 1_000, maxAttempts: 10, ...policy },
    clock,
    // The low end of every backoff range: delays of 100, 200, 400, then 800 ms (the range is [800, 1000) from there).
    random: () => 0,
    logger: createLogger({ level: 'debug', format: 'json', destination }),
    metrics: createWriteMetrics(registry),
    metricLabel: LABEL
  })
  return { clock, registry, lines, attemptsAt, bodies, push }
}

/** Waits until the push is parked in its backoff (or fails after many turns of the event loop). */
async function backingOff(clock: ManualClock): Promise<void> {
  for (let turn = 0; clock.sleeping === 0; turn++) {
    if (turn === 100) throw new Error('the push never started a backoff')
    await settle()
  }
}

const retryable = (error: string, retryAfterMs?: number): AttemptOutcome =>
  retryAfterMs === undefined ? { kind: 'retryable', error } : { kind: 'retryable', error, retryAfterMs }

async function attemptsObserved(registry: Registry): Promise<number> {
  const metric = registry.getSingleMetric('pyroscope_write_push_duration_seconds')
  const values = (await metric?.get())?.values ?? []
  return values.find((v) => (v as { metricName?: string }).metricName === 'pyroscope_write_push_duration_seconds_count')?.value ?? 0
}

describe('RetryingPush', () => {
  it('answers ok after one attempt, without waiting or counting a retry', async () => {
    const h = harness([{ kind: 'ok' }])
    assert.deepEqual(await h.push.push(BODY, new AbortController().signal), { kind: 'ok' })
    assert.deepEqual(h.attemptsAt, [0])
    assert.equal(h.clock.sleeping, 0)
    assert.equal(await metricValue(h.registry, 'pyroscope_write_retries_total', { endpoint: LABEL }), 0)
    assert.equal(await attemptsObserved(h.registry), 1)
  })

  it('retries a retryable failure after the backoff, sending the same body', async () => {
    const h = harness([retryable('server returned HTTP 503'), retryable('server returned HTTP 503'), { kind: 'ok' }])
    const pushing = h.push.push(BODY, new AbortController().signal)
    await backingOff(h.clock)
    await h.clock.advance(99)
    assert.deepEqual(h.attemptsAt, [0], 'no second attempt before the first backoff (100 ms) has passed')
    await h.clock.advance(1)
    assert.deepEqual(h.attemptsAt, [0, 100])
    await backingOff(h.clock)
    await h.clock.advance(200)
    assert.deepEqual(await pushing, { kind: 'ok' })
    assert.deepEqual(h.attemptsAt, [0, 100, 300])
    assert.ok(h.bodies.every((b) => b === BODY))
    assert.equal(await metricValue(h.registry, 'pyroscope_write_retries_total', { endpoint: LABEL }), 2)
    assert.equal(await attemptsObserved(h.registry), 3)
    const retries = h.lines.filter((l) => l['msg'] === 'push failed, retrying')
    assert.deepEqual(
      retries.map((l) => [l['attempt'], l['delay_ms'], l['err']]),
      [
        [1, 100, 'server returned HTTP 503'],
        [2, 200, 'server returned HTTP 503']
      ]
    )
  })

  it('waits as long as Retry-After asks when that is longer than the backoff', async () => {
    const h = harness([retryable('server returned HTTP 429', 5_000), { kind: 'ok' }])
    const pushing = h.push.push(BODY, new AbortController().signal)
    await backingOff(h.clock)
    await h.clock.advance(4_999)
    assert.deepEqual(h.attemptsAt, [0])
    await h.clock.advance(1)
    assert.deepEqual(await pushing, { kind: 'ok' })
    assert.deepEqual(h.attemptsAt, [0, 5_000])
  })

  it('gives up after maxAttempts with the last error', async () => {
    const h = harness([retryable('first'), retryable('second'), retryable('third')], { maxAttempts: 3 })
    const pushing = h.push.push(BODY, new AbortController().signal)
    await backingOff(h.clock)
    await h.clock.advance(10_000)
    assert.deepEqual(await pushing, { kind: 'exhausted', attempts: 3, error: 'third' })
    assert.deepEqual(h.attemptsAt, [0, 100, 300])
    assert.equal(await metricValue(h.registry, 'pyroscope_write_retries_total', { endpoint: LABEL }), 2)
  })

  it('never gives up when maxAttempts is 0', async () => {
    const failures = Array.from({ length: 6 }, () => retryable('down'))
    const h = harness([...failures, { kind: 'ok' }], { maxAttempts: 0 })
    const pushing = h.push.push(BODY, new AbortController().signal)
    await backingOff(h.clock)
    await h.clock.advance(60_000)
    assert.deepEqual(await pushing, { kind: 'ok' })
    assert.deepEqual(h.attemptsAt, [0, 100, 300, 700, 1_500, 2_300, 3_100])
  })

  it('returns a refusal at once, without retrying', async () => {
    const h = harness([{ kind: 'fatal', error: 'server returned HTTP 400: invalid_argument' }])
    assert.deepEqual(await h.push.push(BODY, new AbortController().signal), { kind: 'fatal', error: 'server returned HTTP 400: invalid_argument' })
    assert.equal(h.clock.sleeping, 0)
    assert.deepEqual(h.attemptsAt, [0])
  })

  it('stops during a backoff when the stop signal aborts, without another attempt', async () => {
    const h = harness([retryable('down')])
    const stop = new AbortController()
    let outcome: RetriedOutcome | undefined
    const pushing = h.push.push(BODY, stop.signal).then((o) => (outcome = o))
    await backingOff(h.clock)
    await h.clock.advance(50)
    assert.equal(h.clock.sleeping, 1)
    assert.equal(outcome, undefined)
    stop.abort(new Error('shutdown grace period ended'))
    await pushing
    assert.deepEqual(outcome, { kind: 'stopped' })
    assert.deepEqual(h.attemptsAt, [0])
  })

  it('passes on an attempt the stop signal cut', async () => {
    const h = harness([{ kind: 'stopped' }])
    assert.deepEqual(await h.push.push(BODY, new AbortController().signal), { kind: 'stopped' })
    assert.equal(h.clock.sleeping, 0)
  })
})
