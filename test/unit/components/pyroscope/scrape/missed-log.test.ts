import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { MissedPointsLog } from '../../../../../src/components/pyroscope/scrape/missed-log.js'
import type { Logger } from '../../../../../src/util/logger.js'
import { ManualClock } from '../../../../helpers/fake-clock.js'

function recording(): { logger: Logger; lines: { fields: Record<string, unknown>; msg: string }[] } {
  const lines: { fields: Record<string, unknown>; msg: string }[] = []
  const logger = { warn: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }) } as unknown as Logger
  return { logger, lines }
}

describe('MissedPointsLog', () => {
  it('warns at once, then sums what follows into one line per interval with the worst lateness', async () => {
    const clock = new ManualClock(1_000_000)
    const { logger, lines } = recording()
    const log = new MissedPointsLog(logger, clock, 10_000)
    log.record(2, 1_500)
    assert.equal(lines.length, 1)
    assert.deepEqual(lines[0]?.fields, { missed: 2, late_ms: 1500 })
    assert.match(lines[0]?.msg ?? '', /2 scrape point\(s\) missed/)
    log.record(1, 3_200)
    log.record(4, 1_100)
    assert.equal(lines.length, 1, 'quiet within the interval')
    await clock.advance(10_000)
    log.record(1, 1_050)
    assert.equal(lines.length, 2)
    assert.deepEqual(lines[1]?.fields, { missed: 6, late_ms: 3200 })
  })
})
