import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ScrapeLoop } from '../../../../../src/components/pyroscope/scrape/loop.js'
import type { LoopHandlers, LoopOptions } from '../../../../../src/components/pyroscope/scrape/loop.js'
import { Schedule } from '../../../../../src/components/pyroscope/scrape/schedule.js'
import { phaseMs } from '../../../../../src/components/pyroscope/scrape/offset.js'
import { ManualClock, settle } from '../../../../helpers/fake-clock.js'

const INTERVAL = 10_000
const KEY = 123_456_789n // phase 6,789 ms

const START = 1_000_000
/** The first scrape point after START: the key's phase in the interval starting at START. */
const FIRST = START + phaseMs(KEY, INTERVAL)

function setup(options: { owns?: (at: number) => boolean; scrapeMs?: number; scrape?: (at: number) => Promise<void>; startAt?: number; loop?: LoopOptions } = {}) {
  const clock = new ManualClock(options.startAt ?? START)
  const scraped: number[] = []
  const skipped: number[] = []
  const errors: { error: unknown; at: number }[] = []
  const halted: unknown[] = []
  const signals: AbortSignal[] = []
  let missed = 0
  const lateness: number[] = []
  const finish: (() => void)[] = []
  const owns = options.owns ?? (() => true)
  const scrape =
    options.scrape ??
    (async (at: number) => {
      scraped.push(at)
      if (options.scrapeMs === undefined) return
      await new Promise<void>((resolve) => finish.push(resolve))
    })
  const handlers: LoopHandlers<string> = {
    owns: (_subject, at) => owns(at),
    scrape: (_subject, at, signal) => {
      signals.push(signal)
      return scrape(at)
    },
    onSkip: (_subject, at) => skipped.push(at),
    onMissed: (_subject, n, lateMs) => {
      missed += n
      lateness.push(lateMs)
    },
    onError: (_subject, error, at) => errors.push({ error, at }),
    onHalted: (_subject, error) => halted.push(error)
  }
  const loop = new ScrapeLoop(KEY, INTERVAL, handlers, 'target', options.loop)
  loop.start(new Schedule(clock), clock.now())
  return { clock, scraped, skipped, errors, halted, signals, finish, stop: (inFlight?: 'abort' | 'finish') => loop.stop(inFlight), missed: () => missed, lateness }
}

describe('ScrapeLoop', () => {
  it('catches up, when told to, on the last point if it is within half an interval and this node owned it then', async () => {
    const taken = setup({ startAt: FIRST + 2_000, loop: { catchUpMs: INTERVAL / 2 } })
    await settle()
    await taken.clock.advance(0)
    assert.deepEqual(taken.scraped, [FIRST], 'the point a failed owner left, at once')
    await taken.clock.advance(INTERVAL)
    assert.deepEqual(taken.scraped, [FIRST, FIRST + INTERVAL])
    await taken.stop()

    const planned = setup({ startAt: FIRST + 2_000, loop: { catchUpMs: INTERVAL / 2 }, owns: (at) => at >= FIRST + 1 })
    await settle()
    await planned.clock.advance(INTERVAL)
    assert.deepEqual(planned.scraped, [FIRST + INTERVAL], 'a point another member owned then is left to it')
    assert.equal(planned.missed(), 0)
    await planned.stop()

    const tooOld = setup({ startAt: FIRST + 6_000, loop: { catchUpMs: INTERVAL } })
    await settle()
    await tooOld.clock.advance(INTERVAL)
    assert.deepEqual(tooOld.scraped, [FIRST + INTERVAL], 'no further back than half an interval, whatever is asked')
    await tooOld.stop()

    const done = setup({ startAt: FIRST + 2_000, loop: { catchUpMs: INTERVAL / 2, lastScrapedPoint: FIRST } })
    await settle()
    await done.clock.advance(INTERVAL)
    assert.deepEqual(done.scraped, [FIRST + INTERVAL], 'a point this node scraped already is not scraped again')
    await done.stop()
  })

  it('starts at the next point without catching up', async () => {
    const t = setup({ startAt: FIRST + 2_000 })
    await settle()
    await t.clock.advance(INTERVAL)
    assert.deepEqual(t.scraped, [FIRST + INTERVAL])
    await t.stop()
  })

  it('scrapes at k * interval + the key’s phase on the wall clock', async () => {
    const t = setup()
    await settle()
    await t.clock.advance(3 * INTERVAL)
    assert.deepEqual(t.scraped.map((at) => at % INTERVAL), [phaseMs(KEY, INTERVAL), phaseMs(KEY, INTERVAL), phaseMs(KEY, INTERVAL)])
    assert.deepEqual(t.scraped.map((at, i) => (i === 0 ? 0 : at - (t.scraped[i - 1] ?? 0))), [0, INTERVAL, INTERVAL])
    await t.stop()
  })

  it('skips (and counts) a point while the previous scrape is still running, never overlapping', async () => {
    const t = setup({ scrapeMs: 1 })
    await settle()
    await t.clock.advance(INTERVAL) // first scrape starts and hangs
    await t.clock.advance(INTERVAL) // the next point finds it running
    assert.equal(t.scraped.length, 1)
    assert.equal(t.skipped.length, 1)
    t.finish.shift()?.()
    await settle()
    await t.clock.advance(INTERVAL)
    assert.equal(t.scraped.length, 2)
    const stopped = t.stop()
    t.finish.forEach((f) => f())
    await stopped
  })

  it('asks for ownership at every point, so a hand-off at an instant is exact', async () => {
    assert.ok(phaseMs(KEY, INTERVAL) > 0 && START % INTERVAL === 0, 'the points are START + phase + k * INTERVAL')
    const handoffAt = START + 2 * INTERVAL
    const t = setup({ owns: (at) => at < handoffAt })
    await settle()
    await t.clock.advance(5 * INTERVAL)
    assert.deepEqual(t.scraped, [FIRST, FIRST + INTERVAL])
    await t.stop()
  })

  it('takes over at the hand-off instant, scraping exactly the points from then on', async () => {
    const handoffAt = START + 2 * INTERVAL
    const t = setup({ owns: (at) => at >= handoffAt })
    await settle()
    await t.clock.advance(5 * INTERVAL)
    assert.deepEqual(t.scraped, [FIRST + 2 * INTERVAL, FIRST + 3 * INTERVAL, FIRST + 4 * INTERVAL])
    await t.stop()
  })

  it('counts as missed only the passed points this node owned', async () => {
    // This node owns every other point (another node scrapes the rest).
    const owns = (at: number) => Math.round((at - FIRST) / INTERVAL) % 2 === 0
    const t = setup({ owns })
    await settle()
    await t.clock.advance(INTERVAL) // FIRST is scraped
    assert.deepEqual(t.scraped, [FIRST])
    // Stalled past FIRST + 1..4 intervals; of those this node owned FIRST + 2 and FIRST + 4 intervals.
    t.clock.jump(4 * INTERVAL + 2_000)
    await t.clock.advance(0)
    assert.equal(t.missed(), 2)
    assert.deepEqual(t.scraped, [FIRST])
    await t.stop()
  })

  it('reports a scrape that rejects or throws and keeps scraping, with nothing unhandled', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      let calls = 0
      const t = setup({
        scrape: (at) => {
          calls++
          if (calls === 1) return Promise.reject(new Error(`rejected at ${at}`))
          if (calls === 2) throw new Error(`thrown at ${at}`)
          return Promise.resolve()
        }
      })
      await settle()
      await t.clock.advance(3 * INTERVAL)
      assert.equal(calls, 3, 'the loop went on after both errors')
      assert.deepEqual(
        t.errors.map((e) => [(e.error as Error).message, e.at]),
        [
          [`rejected at ${FIRST}`, FIRST],
          [`thrown at ${FIRST + INTERVAL}`, FIRST + INTERVAL]
        ]
      )
      await t.stop()
      await settle()
      assert.deepEqual(unhandled, [])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('still scrapes a point it wakes up for less than half an interval late, for that point', async () => {
    const t = setup()
    await settle()
    await t.clock.advance(INTERVAL) // FIRST on time
    // Stalled from just before FIRST + INTERVAL until 4 s after it (under half of the 10 s interval).
    t.clock.jump(FIRST + INTERVAL + 4_000 - t.clock.now())
    await t.clock.advance(0)
    assert.deepEqual(t.scraped, [FIRST, FIRST + INTERVAL], 'late, but for its own point')
    assert.equal(t.missed(), 0)
    await t.clock.advance(INTERVAL)
    assert.deepEqual(t.scraped, [FIRST, FIRST + INTERVAL, FIRST + 2 * INTERVAL])
    await t.stop()
  })

  it('after a longer stall, misses the old points but scrapes the latest one if it passed under half an interval ago', async () => {
    const t = setup()
    await settle()
    await t.clock.advance(INTERVAL) // FIRST on time
    // Woken 2 s after FIRST + 3 intervals: FIRST + 1 and + 2 intervals are missed, + 3 is scraped late.
    t.clock.jump(FIRST + 3 * INTERVAL + 2_000 - t.clock.now())
    await t.clock.advance(0)
    assert.equal(t.missed(), 2)
    assert.deepEqual(t.scraped, [FIRST, FIRST + 3 * INTERVAL])
    await t.stop()
  })

  it('counts points missed when the process wakes up late, and resumes on the grid', async () => {
    const t = setup()
    await settle()
    await t.clock.advance(INTERVAL) // one scrape on time
    const before = t.scraped.length
    // Time runs on past three points while the loop cannot run (an event-loop stall), then it wakes.
    t.clock.jump(3 * INTERVAL + 2_000)
    await t.clock.advance(0)
    assert.equal(t.scraped.length, before, 'no catch-up burst for the points that passed')
    assert.equal(t.missed(), 3) // the points at +1, +2 and +3 intervals passed while stalled
    assert.deepEqual(t.lateness, [t.clock.now() - (FIRST + INTERVAL)], 'reported once, as late as the first missed point')
    await t.clock.advance(INTERVAL)
    assert.equal(t.scraped.length, before + 1, 'back on the grid at the next point')
    assert.ok(t.scraped.every((at) => at % INTERVAL === phaseMs(KEY, INTERVAL)))
    await t.stop()
  })

  it('stops at once, with nothing left sleeping', async () => {
    const t = setup()
    await settle()
    assert.equal(t.clock.sleeping, 1)
    await t.stop()
    assert.equal(t.clock.sleeping, 0)
    await t.clock.advance(3 * INTERVAL)
    assert.deepEqual(t.scraped, [])
  })

  it('aborts the scrape in flight when stopped, and resolves once that scrape has been handled', async () => {
    const t = setup({ scrapeMs: 1 })
    await settle()
    await t.clock.advance(INTERVAL) // the first scrape starts and hangs
    assert.equal(t.signals.length, 1)
    let resolved = false
    const stopped = t.stop().then(() => (resolved = true))
    assert.equal(t.signals[0]?.aborted, true)
    await settle()
    assert.equal(resolved, false, 'the scrape has not been handled yet')
    t.finish.shift()?.()
    await stopped
    assert.equal(t.clock.sleeping, 0)
  })

  it('lets the scrape in flight finish when stopped with "finish", scheduling nothing more', async () => {
    const t = setup({ scrapeMs: 1 })
    await settle()
    await t.clock.advance(INTERVAL)
    assert.equal(t.signals.length, 1)
    let resolved = false
    const stopped = t.stop('finish').then(() => (resolved = true))
    assert.equal(t.signals[0]?.aborted, false)
    assert.equal(t.clock.sleeping, 0, 'nothing scheduled any more')
    await settle()
    assert.equal(resolved, false, 'waits for the scrape')
    t.finish.shift()?.()
    await stopped
    await t.clock.advance(3 * INTERVAL)
    assert.equal(t.scraped.length, 1)
  })

  it('stops and says so when handling a point throws, without stopping the scrape in flight', async () => {
    let calls = 0
    const t = setup({
      scrapeMs: 1,
      owns: () => {
        calls++
        if (calls === 2) throw new Error('ownership broke')
        return true
      }
    })
    await settle()
    await t.clock.advance(INTERVAL) // first point: the scrape starts and hangs
    await t.clock.advance(INTERVAL) // second point: owns throws
    assert.deepEqual(t.halted.map((e) => (e as Error).message), ['ownership broke'])
    assert.equal(t.signals[0]?.aborted, false, 'the scrape in flight goes on')
    assert.equal(t.clock.sleeping, 0, 'nothing is scheduled any more')
    await t.clock.advance(3 * INTERVAL)
    assert.equal(t.scraped.length, 1)
    t.finish.shift()?.()
    await t.stop()
  })
})

describe('ScrapeLoop timing', () => {
  it('never starts a scrape before its point, even when a timer wakes early', async () => {
    // A clock whose sleeps end 1 ms early (as timers may, against the wall clock).
    const clock = new ManualClock(1_000_000)
    const early = {
      now: () => clock.now(),
      sleep: (ms: number, signal?: AbortSignal) => clock.sleep(ms > 1 ? ms - 1 : ms, signal)
    }
    const started: number[] = []
    const loop = new ScrapeLoop(
      KEY,
      INTERVAL,
      {
        owns: () => true,
        scrape: async () => {
          started.push(clock.now())
        },
        onSkip: () => undefined,
        onMissed: () => undefined,
        onError: () => undefined,
        onHalted: () => undefined
      },
      undefined
    )
    loop.start(new Schedule(early), early.now())
    await settle()
    await clock.advance(3 * INTERVAL)
    assert.equal(started.length, 3)
    for (const at of started) assert.equal(at % INTERVAL, phaseMs(KEY, INTERVAL))
    await loop.stop()
  })
})
