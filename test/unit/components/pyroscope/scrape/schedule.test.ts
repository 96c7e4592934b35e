import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Schedule, Scheduled } from '../../../../../src/components/pyroscope/scrape/schedule.js'
import { ManualClock, settle } from '../../../../helpers/fake-clock.js'

const START = 1_000_000

/** Due every `everyMs` from `firstAt`, `times` times; records when it ran. */
class Ticker extends Scheduled {
  nextAt: number
  readonly ran: number[] = []
  readonly name: string
  readonly #everyMs: number
  readonly #log: string[]
  #times: number

  constructor(name: string, firstAt: number, everyMs: number, times: number, log: string[]) {
    super()
    this.name = name
    this.nextAt = firstAt
    this.#everyMs = everyMs
    this.#times = times
    this.#log = log
  }

  due(now: number): boolean {
    this.ran.push(now)
    this.#log.push(`${this.name}@${this.nextAt}`)
    this.nextAt += this.#everyMs
    return --this.#times > 0
  }
}

describe('Schedule', () => {
  it('keeps a single sleep for any number of items, and runs each at its instant', async () => {
    const clock = new ManualClock(START)
    const schedule = new Schedule<Ticker>(clock)
    const log: string[] = []
    const tickers = Array.from({ length: 1_000 }, (_, i) => new Ticker(`t${i}`, START + ((i * 7_919) % 10_000), 10_000, 3, log))
    for (const t of tickers) schedule.add(t)
    await settle()
    assert.equal(clock.sleeping, 1)
    await clock.advance(30_000)
    for (const t of tickers) {
      const first = START + ((Number(t.name.slice(1)) * 7_919) % 10_000)
      assert.deepEqual(t.ran, [first, first + 10_000, first + 20_000])
    }
    assert.equal(schedule.size, 0, 'every ticker left after its third run')
    assert.equal(clock.sleeping, 0, 'nothing left sleeping once nothing is scheduled')
  })

  it('wakes earlier when an item due before the pending sleep is added', async () => {
    const clock = new ManualClock(START)
    const schedule = new Schedule<Ticker>(clock)
    const log: string[] = []
    schedule.add(new Ticker('late', START + 5_000, 1_000, 1, log))
    await settle()
    schedule.add(new Ticker('early', START + 1_000, 1_000, 1, log))
    await settle()
    assert.equal(clock.sleeping, 1, 'the later sleep was replaced')
    await clock.advance(5_000)
    assert.deepEqual(log, [`early@${START + 1_000}`, `late@${START + 5_000}`])
  })

  it('runs what remains in order of its instants, whatever was added and removed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 999 }), removed: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        async (items) => {
          const clock = new ManualClock(START)
          const schedule = new Schedule<Ticker>(clock)
          const log: string[] = []
          const tickers = items.map((item, i) => new Ticker(`t${i}`, START + item.at, 1, 1, log))
          tickers.forEach((t) => schedule.add(t))
          tickers.forEach((t, i) => {
            if (items[i]?.removed === true) schedule.remove(t)
          })
          await settle()
          await clock.advance(1_000)
          const keptAt = items.flatMap((item, i) => (item.removed ? [] : [{ name: `t${i}`, at: START + item.at }]))
          assert.deepEqual(
            log.map((entry) => Number(entry.split('@')[1])),
            keptAt.map((k) => k.at).sort((x, y) => x - y),
            'in order of their instants'
          )
          assert.deepEqual(log.map((entry) => entry.split('@')[0]).sort(), keptAt.map((k) => k.name).sort(), 'each kept one once')
          for (const k of keptAt) assert.deepEqual(tickers[Number(k.name.slice(1))]?.ran, [k.at], 'at its instant')
          assert.equal(clock.sleeping, 0)
        }
      ),
      { numRuns: 100 }
    )
  })

  it('cancels its sleep when the last item is removed', async () => {
    const clock = new ManualClock(START)
    const schedule = new Schedule<Ticker>(clock)
    const ticker = new Ticker('only', START + 5_000, 1_000, 5, [])
    schedule.add(ticker)
    await settle()
    assert.equal(clock.sleeping, 1)
    schedule.remove(ticker)
    assert.equal(clock.sleeping, 0)
    await clock.advance(10_000)
    assert.deepEqual(ticker.ran, [])
  })
})
