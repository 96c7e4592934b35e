import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { Registry } from 'prom-client'
import { metricValue } from '../../../../helpers/metrics.js'
import { createKeyHasher } from '../../../../../src/util/label-hash.js'
import type { KeyHasher } from '../../../../../src/util/label-hash.js'
import type { ScrapeArguments } from '../../../../../src/components/pyroscope/scrape/arguments.js'
import type { Ownership } from '../../../../../src/cluster/index.js'
import { LOCAL_OWNERSHIP } from '../../../../../src/components/pyroscope/scrape/ownership.js'
import { FINISH_ON_STOP_MS, ScrapePool } from '../../../../../src/components/pyroscope/scrape/pool.js'
import type { PoolDeps } from '../../../../../src/components/pyroscope/scrape/pool.js'
import { LatestProfiles } from '../../../../../src/components/pyroscope/scrape/latest-profiles.js'
import { toExpansionConfig } from '../../../../../src/components/pyroscope/scrape/arguments.js'
import { expandTargets } from '../../../../../src/components/pyroscope/scrape/targets.js'
import { phaseMs } from '../../../../../src/components/pyroscope/scrape/offset.js'
import type { ProfilesReceiver, RawSample } from '../../../../../src/components/pyroscope/receiver.js'
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from '../../../../../src/http/types.js'
import { Capsule } from '../../../../../src/syntax/value.js'
import type { Labels } from '../../../../../src/util/labels.js'
import type { Logger } from '../../../../../src/util/logger.js'
import { samplePprof } from '../../../../helpers/bad-targets.js'
import { argumentsOf, profilingOnly } from '../../../../helpers/config.js'
import { ManualClock, settle } from '../../../../helpers/fake-clock.js'
import { waitFor } from '../../../../helpers/wait-for.js'

const INTERVAL = 10_000
const ID = 'pyroscope.scrape.s'

/** Arguments decoded from config (defaults as a user gets them), with test targets and receivers. */
function scrapeArgs(targets: Labels[], receivers: ProfilesReceiver[], profile = 'goroutine', overrides: Partial<ScrapeArguments> = {}): ScrapeArguments {
  const base = argumentsOf<ScrapeArguments>(
    `
pyroscope.scrape "s" {
  targets         = []
  forward_to      = [pyroscope.write.w.receiver]
  scrape_interval = "10s"
  scrape_timeout  = "5s"
${profilingOnly(profile)}
}
pyroscope.write "w" {
  endpoint {
    url = "http://127.0.0.1:1"
  }
}
`,
    ID
  )
  return { ...base, targets, forward_to: receivers.map((r) => new Capsule('ProfilesReceiver', r)), ...overrides }
}

/** A cumulative Go heap profile with one stack whose alloc counters are `allocs`. */
function heapProfile(allocs: number): Buffer {
  const stringTable = new Profile().stringTable
  const s = (v: string) => stringTable.dedup(v)
  const profile = new Profile({
    sampleType: [
      { type: s('alloc_objects'), unit: s('count') },
      { type: s('alloc_space'), unit: s('bytes') }
    ],
    function: [{ id: 1, name: s('main.alloc'), filename: s('main.go') }],
    location: [{ id: 1, line: [{ functionId: 1, line: 10 }] }],
    sample: [{ locationId: [1], value: [allocs, allocs * 100] }],
    stringTable,
    timeNanos: 1_700_000_000_000_000_000n + BigInt(allocs)
  })
  return gzipSync(profile.encode())
}

class FakeClient implements HttpClient {
  readonly urls: string[] = []
  closed = false
  constructor(readonly body: (url: string) => Buffer) {}
  async request(url: string): Promise<HttpResponse> {
    this.urls.push(url)
    return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Readable.from([this.body(url)]) } as unknown as HttpResponse
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

/** Answers every request only once released; records each request's abort signal. */
class GatedClient implements HttpClient {
  readonly waiting: { signal: AbortSignal; answer: () => void }[] = []
  closed = false
  constructor(readonly body: Buffer) {}
  request(_url: string, req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const answer = (): void => {
        if (req.signal.aborted) reject(new Error('aborted'))
        else resolve({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Readable.from([this.body]) } as unknown as HttpResponse)
      }
      this.waiting.push({ signal: req.signal, answer })
    })
  }
  release(): void {
    for (const w of this.waiting.splice(0)) w.answer()
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

class RecordingReceiver implements ProfilesReceiver {
  readonly appended: { labels: Labels; samples: readonly RawSample[] }[] = []
  async append(labels: Labels, samples: readonly RawSample[]): Promise<void> {
    this.appended.push({ labels, samples })
  }
}

function recordingLogger(): { logger: Logger; warnings: { fields: Record<string, unknown>; msg: string }[] } {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = []
  const noop = () => undefined
  const logger = { warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }), debug: noop, info: noop, error: noop } as unknown as Logger
  return { logger, warnings }
}

let hasher: KeyHasher

describe('ScrapePool', () => {
  const running: AbortController[] = []
  const runs: Promise<void>[] = []
  before(async () => {
    hasher = await createKeyHasher()
  })
  after(async () => {
    for (const c of running) c.abort()
    await Promise.all(runs)
  })

  function setup(
    options: { ownership?: Ownership; createClient?: (o: HttpClientOptions) => HttpClient; body?: (url: string) => Buffer; maxDeltaStateBytes?: number; latest?: LatestProfiles } = {}
  ) {
    const clock = new ManualClock(1_000_000)
    const metrics = new Registry()
    const { logger, warnings } = recordingLogger()
    const clients: FakeClient[] = []
    const createClient =
      options.createClient ??
      (() => {
        const c = new FakeClient(options.body ?? (() => gzipSync(samplePprof())))
        clients.push(c)
        return c
      })
    const deps: PoolDeps = {
      componentId: ID,
      clock,
      logger,
      metrics,
      hasher,
      ownership: options.ownership ?? LOCAL_OWNERSHIP,
      createClient,
      ...(options.maxDeltaStateBytes !== undefined ? { maxDeltaStateBytes: options.maxDeltaStateBytes } : {}),
      latest: options.latest
    }
    const pool = new ScrapePool(deps)
    const stop = new AbortController()
    running.push(stop)
    const start = () => {
      const done = pool.run(stop.signal)
      runs.push(done)
      return done
    }
    const scrapes = (result: string): Promise<number> => metricValue(metrics, 'shardscope_scrapes_total', { result })
    return { pool, clock, metrics, warnings, clients, stop, start, scrapes }
  }

  /** Advances the manual clock one interval and waits (on real time) until `probe` holds. */
  async function tick(t: { clock: ManualClock }, probe: () => boolean, what: string): Promise<void> {
    await t.clock.advance(INTERVAL)
    await waitFor(probe, { timeoutMs: 5_000, intervalMs: 5, what })
  }

  it('reconciles by target id: new targets start, vanished ones stop, unchanged ones keep their loop', async () => {
    const t = setup()
    const a = { __address__: '127.0.0.1:1001', service_name: 'a' }
    const b = { __address__: '127.0.0.1:1002', service_name: 'b' }
    t.pool.sync(scrapeArgs([a], []))
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'up', 'a scraped')
    const scrapedA = t.pool.statuses()[0]?.last_scrape
    t.pool.sync(scrapeArgs([a, b], []))
    assert.equal(t.pool.activeLoops(), 2)
    assert.equal(t.pool.statuses().find((s) => s.url.includes(':1001'))?.last_scrape, scrapedA, 'a kept its loop and status')
    t.pool.sync(scrapeArgs([b], []))
    assert.deepEqual(t.pool.statuses().map((s) => new URL(s.url).port), ['1002'])
    assert.equal(t.clients.length, 1, 'target changes alone build no new client')
  })

  it('restarts a loop whose ring key changed while its id stayed, so a clustered node still scrapes it', async () => {
    // A cluster view where this node owns exactly the keys of the latest plan.
    const ownership: Ownership = {
      plan: (keys) => {
        const owned = new Set(keys)
        return { wants: (k) => owned.has(k), owns: (k) => owned.has(k) }
      }
    }
    const t = setup({ ownership })
    const target = { __address__: '127.0.0.1:1001', service_name: 'a', __tmp_x: 'one' }
    t.pool.sync(scrapeArgs([target], []))
    void t.start()
    await tick(t, () => t.clients[0]?.urls.length === 1, 'first scrape')
    // Only a non-public `__` label changes: same id (public labels + URL), another ring key.
    t.pool.sync(scrapeArgs([{ ...target, __tmp_x: 'two' }], []))
    assert.equal(t.pool.activeLoops(), 1)
    await tick(t, () => (t.clients[0]?.urls.length ?? 0) >= 2, 'a scrape after the key changed')
  })

  it('tells the cluster it owns nothing once it stops, so its ownership counts are released', async () => {
    const planned: { keys: number; caller: string | undefined }[] = []
    const ownership: Ownership = {
      plan: (keys, callerId) => {
        planned.push({ keys: keys.length, caller: callerId })
        return LOCAL_OWNERSHIP.plan(keys)
      }
    }
    const t = setup({ ownership })
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], []))
    const done = t.start()
    t.stop.abort()
    await done
    assert.deepEqual(planned, [
      { keys: 1, caller: ID },
      { keys: 0, caller: ID }
    ])
  })

  it('restarts every loop with a new client when the client options change, and closes the old client', async () => {
    const t = setup()
    const a = { __address__: '127.0.0.1:1001', service_name: 'a' }
    const args = scrapeArgs([a], [])
    t.pool.sync(args)
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'up', 'a scraped')
    t.pool.sync({ ...args, http_client: { ...args.http_client, follow_redirects: !args.http_client.follow_redirects } })
    assert.equal(t.clients.length, 2)
    await waitFor(() => t.clients[0]?.closed, { timeoutMs: 5_000, what: 'the old client closed' })
    assert.equal(t.pool.statuses()[0]?.health, 'unknown', 'a new loop')
    await tick(t, () => t.clients[1]?.urls.length === 1, 'a scrape with the new client')
  })

  it('leaves everything as it was when the new client cannot be built', async () => {
    let calls = 0
    const first = new FakeClient(() => gzipSync(samplePprof()))
    const t = setup({
      createClient: () => {
        if (calls++ === 0) return first
        throw new Error('cannot read the TLS CA file')
      }
    })
    const a = { __address__: '127.0.0.1:1001', service_name: 'a' }
    const b = { __address__: '127.0.0.1:1002', service_name: 'b' }
    const args = scrapeArgs([a], [])
    t.pool.sync(args)
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'up', 'first scrape')
    const changed = { ...args, targets: [a, b], http_client: { ...args.http_client, follow_redirects: !args.http_client.follow_redirects } }
    assert.throws(() => t.pool.sync(changed), /cannot read the TLS CA file/)
    assert.equal(first.closed, false)
    assert.equal(t.pool.activeLoops(), 1, 'b did not start, a was not stopped')
    assert.equal(t.pool.statuses()[0]?.health, 'up')
    await tick(t, () => first.urls.length === 2, 'a still scraped with the old client')
    // The same change applies once it can: the options differ from the ones in effect.
    assert.throws(() => t.pool.sync(changed))
  })

  /** A running pool of one target whose scrape is in flight (its target answers once released), just told to stop. */
  async function stoppedWithScrapeInFlight() {
    const gate = new GatedClient(gzipSync(samplePprof()))
    const t = setup({ createClient: () => gate })
    const receiver = new RecordingReceiver()
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver]))
    const done = t.start()
    await tick(t, () => gate.waiting.length === 1, 'the scrape in flight')
    t.stop.abort()
    return { gate, t, receiver, done }
  }

  it('lets a scrape in flight finish when it stops, and hands on its profile before run resolves', async () => {
    const { gate, receiver, done } = await stoppedWithScrapeInFlight()
    let stopped = false
    void done.then(() => (stopped = true))
    await settle()
    assert.equal(stopped, false, 'run waits for the scrape in flight')
    assert.equal(gate.waiting[0]?.signal.aborted, false, 'the target already answering is not cut off')
    gate.release()
    await done
    assert.equal(receiver.appended.length, 1, 'the profile its target answered with was handed on')
    assert.equal(gate.closed, true)
  })

  it('aborts a scrape still in flight FINISH_ON_STOP_MS after the stop, so a stop stays short', async () => {
    const { gate, t, receiver, done } = await stoppedWithScrapeInFlight()
    await settle()
    assert.equal(gate.waiting[0]?.signal.aborted, false)
    await t.clock.advance(FINISH_ON_STOP_MS)
    await waitFor(() => gate.waiting[0]?.signal.aborted === true, { timeoutMs: 5_000, what: 'the scrape aborted at the deadline' })
    gate.release()
    await done
    assert.equal(receiver.appended.length, 0, 'the aborted scrape hands nothing on')
  })

  it('scrapes at once the last point of a target taken over from a failed member, but waits for a planned hand-off', async () => {
    for (const failed of [true, false]) {
      let mine = false
      let handoffAt = Number.POSITIVE_INFINITY
      // Failed: the plan now says this node owned the past too (the failed member is gone from it). Planned:
      // this node owns points from the announced instant on.
      const ownership: Ownership = { plan: () => ({ wants: () => mine, owns: (_key, at) => mine && (failed || at >= handoffAt) }) }
      const t = setup({ ownership })
      const args = scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [])
      const key = expandTargets(args.targets, toExpansionConfig(args), hasher).scrapes[0]?.key as bigint
      t.pool.sync(args)
      void t.start()
      // 1 s after one of the target's points, which nobody here scraped.
      const now = t.clock.now()
      const point = now - ((now - phaseMs(key, INTERVAL)) % INTERVAL) + INTERVAL
      await t.clock.advance(point + 1_000 - now)
      assert.equal(t.clients[0]?.urls.length ?? 0, 0)
      mine = true
      handoffAt = point + INTERVAL
      t.pool.sync(args)
      await t.clock.advance(0)
      if (failed) await waitFor(() => t.clients[0]?.urls.length === 1, { timeoutMs: 5_000, intervalMs: 5, what: 'the point the failed member left, scraped at once' })
      else {
        await settle()
        assert.equal(t.clients[0]?.urls.length ?? 0, 0, 'a point the previous owner kept is left to it')
      }
      await t.clock.advance(handoffAt - t.clock.now())
      await waitFor(() => t.clients[0]?.urls.length === (failed ? 2 : 1), { timeoutMs: 5_000, intervalMs: 5, what: 'the next point' })
      t.stop.abort()
    }
  })

  it('lets a scrape in flight finish and hands on its profile when the target moves to another node', async () => {
    const gate = new GatedClient(gzipSync(samplePprof()))
    let mine = true
    const t = setup({ createClient: () => gate, ownership: { plan: () => ({ wants: () => mine, owns: () => mine }) } })
    const receiver = new RecordingReceiver()
    const args = scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver])
    t.pool.sync(args)
    void t.start()
    await tick(t, () => gate.waiting.length === 1, 'the scrape in flight')
    mine = false
    t.pool.sync(args)
    assert.equal(t.pool.statuses().length, 0, 'the loop is stopped')
    assert.equal(gate.waiting[0]?.signal.aborted, false, 'the point it owned is still being scraped')
    gate.release()
    await waitFor(() => receiver.appended.length === 1, { timeoutMs: 5_000, what: 'the profile handed on' })
  })

  it('aborts a scrape in flight when its target is gone', async () => {
    const gate = new GatedClient(gzipSync(samplePprof()))
    const t = setup({ createClient: () => gate })
    const receiver = new RecordingReceiver()
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver]))
    void t.start()
    await tick(t, () => gate.waiting.length === 1, 'the scrape in flight')
    t.pool.sync(scrapeArgs([], [receiver]))
    assert.equal(gate.waiting[0]?.signal.aborted, true)
  })

  it('aborts a scrape in flight when a config change restarts the loops', async () => {
    const gate = new GatedClient(gzipSync(samplePprof()))
    const clients = [gate, new GatedClient(gzipSync(samplePprof()))]
    const t = setup({ createClient: () => clients.shift() as GatedClient })
    const receiver = new RecordingReceiver()
    const args = scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver])
    t.pool.sync(args)
    void t.start()
    await tick(t, () => gate.waiting.length === 1, 'the scrape in flight')
    t.pool.sync({ ...args, http_client: { ...args.http_client, follow_redirects: !args.http_client.follow_redirects } })
    assert.equal(gate.waiting[0]?.signal.aborted, true)
    gate.release()
    await waitFor(() => gate.closed, { timeoutMs: 5_000, what: 'the old client closed' })
    assert.equal(receiver.appended.length, 0, 'the aborted scrape hands nothing on')
  })

  it('marks a target down and counts a forward that rejects, unless a newer scrape has reported since', async () => {
    const t = setup()
    const settleForward: ((err?: Error) => void)[] = []
    const receiver: ProfilesReceiver = {
      append: () => new Promise<void>((resolve, reject) => settleForward.push((err) => (err ? reject(err) : resolve())))
    }
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver]))
    void t.start()
    await tick(t, () => settleForward.length === 1, 'first forward')
    settleForward[0]?.(new Error('queue full'))
    await waitFor(() => t.pool.statuses()[0]?.health === 'down', { timeoutMs: 5_000, what: 'down' })
    assert.equal(t.pool.statuses()[0]?.last_error, 'forwarding failed: queue full')
    assert.equal(await t.scrapes('forward_failed'), 1)

    await tick(t, () => settleForward.length === 2 && t.pool.statuses()[0]?.health === 'up', 'second scrape up')
    await tick(t, () => settleForward.length === 3, 'third forward')
    settleForward[1]?.(new Error('late rejection'))
    await waitFor(async () => (await t.scrapes('forward_failed')) === 2, { timeoutMs: 5_000, what: 'the late rejection counted' })
    assert.equal(t.pool.statuses()[0]?.health, 'up', 'a late rejection does not overwrite a newer scrape')
    settleForward[2]?.()
  })

  it('survives a receiver that throws synchronously: the target is down with the reason, the agent goes on', async () => {
    const t = setup()
    const receiver: ProfilesReceiver = {
      append: () => {
        throw new Error('append exploded')
      }
    }
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver]))
      void t.start()
      await tick(t, () => t.pool.statuses()[0]?.health === 'down', 'down')
      assert.equal(t.pool.statuses()[0]?.last_error, 'forwarding failed: append exploded')
      assert.equal(await t.scrapes('forward_failed'), 1)
      await tick(t, () => t.clients[0]?.urls.length === 2, 'scraped again')
      await settle()
      assert.deepEqual(unhandled, [])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('marks a target down with the reason when its loop stops on an exception, instead of crashing', async () => {
    const t = setup()
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      // An interval that is not whole milliseconds makes the schedule throw a RangeError.
      t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [], 'goroutine', { scrape_interval_ms: 1500.5 }))
      void t.start()
      await waitFor(() => t.pool.statuses()[0]?.health === 'down', { timeoutMs: 5_000, what: 'down' })
      assert.match(t.pool.statuses()[0]?.last_error ?? '', /^scrape loop stopped: scrape interval must be a whole number of milliseconds/)
      await settle()
      assert.deepEqual(unhandled, [])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('keeps the first scrape of a cumulative profile as the baseline, then forwards deltas, and reports the state', async () => {
    let allocs = 10
    const latest = new LatestProfiles({ maxBytes: 1024 * 1024 })
    const t = setup({ body: () => heapProfile(allocs), latest })
    const receiver = new RecordingReceiver()
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver], 'memory'))
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'up', 'baseline')
    assert.equal(receiver.appended.length, 0, 'nothing is sent for the baseline')
    assert.deepEqual(latest.list(), [], 'nor shown as the latest profile')
    assert.ok(t.pool.deltaStateBytes() > 0)
    const gauge = async () => (await t.metrics.getSingleMetric('shardscope_scrape_delta_state_bytes')?.get())?.values.find((v) => v.labels['component'] === ID)?.value
    assert.equal(await gauge(), t.pool.deltaStateBytes())

    allocs = 25
    await tick(t, () => receiver.appended.length === 1, 'a delta sent')
    const sent = receiver.appended[0]
    assert.equal(sent?.labels['__delta__'], 'false')
    const delta = Profile.decode(Buffer.from(gzipUnzip(sent?.samples[0]?.raw)))
    assert.deepEqual(delta.sample.map((s) => s.value.map(Number)), [[15, 1500]])
    const shown = latest.get(ID, t.pool.statuses()[0]?.id ?? '')
    assert.deepEqual(Buffer.from(shown?.body ?? []), Buffer.from(sent?.samples[0]?.raw ?? []), 'the latest profile is the delta sent')

    t.pool.sync(scrapeArgs([], [receiver], 'memory'))
    assert.equal(t.pool.deltaStateBytes(), 0, 'a stopped target frees its state')
    assert.equal(await gauge(), 0)
  })

  it('sends an in-use-only heap profile (nothing cumulative to subtract) as scraped, from the first scrape on', async () => {
    const stringTable = new Profile().stringTable
    const s = (v: string) => stringTable.dedup(v)
    const inuseOnly = gzipSync(
      new Profile({
        sampleType: [
          { type: s('inuse_objects'), unit: s('count') },
          { type: s('inuse_space'), unit: s('bytes') }
        ],
        function: [{ id: 1, name: s('main.keep'), filename: s('main.js') }],
        location: [{ id: 1, line: [{ functionId: 1, line: 3 }] }],
        sample: [{ locationId: [1], value: [2, 64] }],
        stringTable
      }).encode()
    )
    const t = setup({ body: () => inuseOnly })
    const receiver = new RecordingReceiver()
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver], 'memory'))
    void t.start()
    await tick(t, () => receiver.appended.length === 1, 'the first scrape sent')
    const status = t.pool.statuses()[0]
    assert.equal(status?.health, 'up')
    assert.equal(status?.last_error, '')
    assert.deepEqual(Buffer.from(receiver.appended[0]?.samples[0]?.raw ?? []), inuseOnly)
    assert.equal(t.pool.deltaStateBytes(), 0)
  })

  it('flags a profile without samples with a hint on how to turn it on', async () => {
    const stringTable = new Profile().stringTable
    const s = (v: string) => stringTable.dedup(v)
    const empty = gzipSync(
      new Profile({ sampleType: [{ type: s('contentions'), unit: s('count') }, { type: s('delay'), unit: s('nanoseconds') }], sample: [], stringTable }).encode()
    )
    const t = setup({ body: () => empty })
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [], 'mutex'))
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'up', 'the first (baseline) scrape')
    assert.match(t.pool.statuses()[0]?.hint ?? '', /^the profile has no samples: .*runtime\.SetMutexProfileFraction\(rate\) with rate > 0$/)
  })

  it('has no hint for a profile with samples', async () => {
    const t = setup({ body: () => heapProfile(10) })
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [], 'memory'))
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'up', 'baseline')
    assert.equal(t.pool.statuses()[0]?.hint, '')
  })

  it('fails a target whose delta, computed under what is left of the pool’s budget, would not fit, naming the nearly used budget', async () => {
    const t = setup({ body: () => heapProfile(10), maxDeltaStateBytes: 1 })
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [], 'memory'))
    void t.start()
    await tick(t, () => t.pool.statuses()[0]?.health === 'down', 'down')
    assert.match(t.pool.statuses()[0]?.last_error ?? '', /^delta computation failed: delta state would exceed 1 bytes; baseline dropped \(the component's delta state budget of 1 bytes is nearly used\)$/)
    assert.equal(t.pool.deltaStateBytes(), 0)
  })

  it('skips a target’s delta without computing it when nothing of the pool’s budget is left, at every scrape', async () => {
    const t = setup({ body: () => heapProfile(10), maxDeltaStateBytes: 0 })
    const receiver = new RecordingReceiver()
    t.pool.sync(scrapeArgs([{ __address__: '127.0.0.1:1001', service_name: 'a' }], [receiver], 'memory'))
    void t.start()
    for (const scrape of [1, 2]) {
      await tick(t, () => t.clients[0]?.urls.length === scrape && t.pool.statuses()[0]?.health === 'down', `scrape ${scrape} handled`)
      // A delta computed under a cap of 0 would fail as "delta computation failed"; a skipped one is never computed.
      assert.equal(t.pool.statuses()[0]?.last_error, "delta skipped: the component's delta state budget of 0 bytes is used by other targets")
      assert.equal(t.pool.deltaStateBytes(), 0, 'no baseline kept')
      assert.equal(await t.scrapes('failure'), scrape)
    }
    assert.equal(await t.scrapes('success'), 0)
    assert.equal(receiver.appended.length, 0, 'nothing is sent')
  })

  it('keeps dropped targets with their reason for the status and logs each once, and again when its reason changes', () => {
    const t = setup()
    const good = { __address__: '127.0.0.1:1001', service_name: 'a' }
    const noAddress = { service_name: 'b' }
    t.pool.sync(scrapeArgs([good, noAddress], []))
    t.pool.sync(scrapeArgs([good, noAddress], []))
    const dropped = t.pool.dropped()
    assert.equal(dropped.length, 1)
    assert.deepEqual(dropped[0]?.labels, noAddress)
    assert.ok((dropped[0]?.reason ?? '') !== '')
    assert.equal(t.warnings.filter((w) => w.msg === 'target dropped').length, 1, 'not repeated on every sync')

    const badScheme = { ...noAddress, __address__: '127.0.0.1:1002', __scheme__: 'ftp' }
    t.pool.sync(scrapeArgs([good, badScheme], []))
    assert.equal(t.warnings.filter((w) => w.msg === 'target dropped').length, 2)
    t.pool.sync(scrapeArgs([good], []))
    assert.deepEqual(t.pool.dropped(), [])
    t.pool.sync(scrapeArgs([good, badScheme], []))
    assert.equal(t.warnings.filter((w) => w.msg === 'target dropped').length, 3, 'a target dropped again after being fixed is logged again')
  })
})

function gzipUnzip(raw: Uint8Array | undefined): Buffer {
  assert.ok(raw)
  return gunzipSync(raw)
}
