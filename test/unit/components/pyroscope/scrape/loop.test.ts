import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ScrapeLoop } from '../../../../../src/components/pyroscope/scrape/loop.js'
import { phaseMs } from '../../../../../src/components/pyroscope/scrape/offset.js'
import { ManualClock, settle } from '../../../../helpers/fake-clock.js'

const INTERVAL = 10_000
const KEY = 123_456_789n // phase 6,789 ms

function setup(options: { owns?: (at: number) => boolean; scrapeMs?: number } = {}) {
  const clock = new ManualClock(1_000_000)
  const scraped: number[] = []
  const skipped: number[] = []
  let missed = 0
  const finish: (() => void)[] = []
  const loop = new ScrapeLoop(KEY, INTERVAL, {
    clock,
    owns: options.owns ?? (() => true),
    scrape: async (at) => {
      scraped.push(at)
      if (options.scrapeMs === undefined) return
      await new Promise<void>((resolve) => finish.push(resolve))
    },
    onSkip: (at) => skipped.push(at),
    onMissed: (n) => (missed += n)
  })
  const stop = new AbortController()
  const done = loop.run(stop.signal)
  return { clock, scraped, skipped, finish, stop, done, missed: () => missed }
}

describe('ScrapeLoop', () => {
  it('scrapes at k * interval + the key’s phase on the wall clock', async () => {
    const t = setup()
    await settle()
    await t.clock.advance(3 * INTERVAL)
    assert.deepEqual(t.scraped.map((at) => at % INTERVAL), [phaseMs(KEY, INTERVAL), phaseMs(KEY, INTERVAL), phaseMs(KEY, INTERVAL)])
    assert.deepEqual(t.scraped.map((at, i) => (i === 0 ? 0 : at - (t.scraped[i - 1] ?? 0))), [0, INTERVAL, INTERVAL])
    t.stop.abort()
    await t.done
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
    t.stop.abort()
    t.finish.forEach((f) => f())
    await t.done
  })

  it('asks for ownership at every point, so a hand-off at an instant is exact', async () => {
    const handoffAt = 1_000_000 + 2 * INTERVAL
    const t = setup({ owns: (at) => at < handoffAt })
    await settle()
    await t.clock.advance(5 * INTERVAL)
    assert.ok(t.scraped.length >= 1)
    assert.ok(t.scraped.every((at) => at < handoffAt), t.scraped.join(','))
    t.stop.abort()
    await t.done
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
    await t.clock.advance(INTERVAL)
    assert.equal(t.scraped.length, before + 1, 'back on the grid at the next point')
    assert.ok(t.scraped.every((at) => at % INTERVAL === phaseMs(KEY, INTERVAL)))
    t.stop.abort()
    await t.done
  })

  it('stops at once when aborted, with nothing left sleeping', async () => {
    const t = setup()
    await settle()
    assert.equal(t.clock.sleeping, 1)
    t.stop.abort()
    await t.done
    assert.equal(t.clock.sleeping, 0)
  })
})
