/**
 * The soak's verdict logic, on hand-made request logs: a soak that cannot see a miss, a double or a lost
 * profile proves nothing, so these check that each one is seen (and excused only where it should be).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { phaseMs } from '../../../src/components/pyroscope/scrape/offset.js'
import { account } from '../../soak/accounting.js'
import type { Incarnation } from '../../soak/accounting.js'
import type { LoggedScrape } from '../../soak/flaky-targets.js'
import { classifyIntervals, pointOf } from '../../soak/intervals.js'
import { soakSchedule } from '../../soak/schedule.js'

const INTERVAL = 1_000
const KEY = 123_456_789n
const PHASE = phaseMs(KEY, INTERVAL)
const series = [{ target: 't1', path: '/custom', key: KEY }]

function request(point: number, node = 'a1', status = 200, lateMs = 5): LoggedScrape {
  return { at: PHASE + point * INTERVAL + lateMs, target: 't1', path: '/custom', node, status }
}

describe('soak interval classification', () => {
  it('assigns a late request to the point it was scheduled at', () => {
    const point = PHASE + 10 * INTERVAL
    assert.equal(pointOf(point + 600, PHASE, INTERVAL), point)
    assert.equal(pointOf(point - 100, PHASE, INTERVAL), point)
  })

  it('sees a missed point, a doubled point, and counts a failed scrape as a scrape', () => {
    const requests = [request(0), request(1, 'a1', 503), request(3), request(3, 'a2'), request(4)]
    const report = classifyIntervals(series, requests, INTERVAL, { fromMs: 0, toMs: PHASE + 4 * INTERVAL + 1 }, [])
    assert.deepEqual(report.perSeries['t1/custom'], { one: 3, zero: 1, double: 1 })
    assert.equal(report.zero.unexpected, 1)
    assert.equal(report.double.unexpected, 1)
    assert.match(report.unexpectedPoints.join('\n'), /2 request\(s\) by a1\+a2/)
  })

  it('excuses a zero only inside a kill window', () => {
    const requests = [request(0), request(3)]
    const excused = [{ fromMs: PHASE + INTERVAL - 1, toMs: PHASE + INTERVAL + 1, reason: 'kill -9 a2' }]
    const report = classifyIntervals(series, requests, INTERVAL, { fromMs: 0, toMs: PHASE + 3 * INTERVAL + 1 }, excused)
    assert.deepEqual(report.zero, { expected: 1, unexpected: 1 })
  })
})

describe('soak profile accounting', () => {
  const life = (over: Partial<Incarnation>): Incarnation => ({
    name: 'a1', startedAt: 0, endedAt: 100_000, end: 'sigterm', sent: 0, dropped: 0, queued: 0, missed: 0, skipped: 0, lastPollAt: 50_000, ...over
  })

  it('explains a gap by a kill -9 only up to what the killed process had not reported', () => {
    const requests = [request(0, 'a1'), request(1, 'a2'), request(2, 'a2'), request(3, 'a2', 503)]
    const incarnations = [life({ name: 'a1', sent: 1 }), life({ name: 'a2', end: 'sigkill', sent: 1 })]
    const ok = account(requests, ['extra', 'extra'], incarnations, () => 'extra')
    assert.deepEqual({ gap: ok.gap, bound: ok.killLossBound, unaccounted: ok.unaccounted, failed: ok.failed }, { gap: 1, bound: 1, unaccounted: 0, failed: 1 })
    const lost = account(requests, ['extra'], incarnations, () => 'extra')
    assert.equal(lost.unaccounted, 1, 'a loss beyond the bound is unaccounted')
  })

  it('counts a profile stored twice as unaccounted, and dropped ones as accounted', () => {
    const requests = [request(0), request(1)]
    assert.equal(account(requests, ['extra', 'extra', 'extra'], [life({ sent: 2 })], () => 'extra').unaccounted, -1)
    assert.equal(account(requests, ['extra'], [life({ sent: 1, dropped: 1 })], () => 'extra').unaccounted, 0)
  })
})

describe('soak schedule', () => {
  it('joins every agent beyond the first three and ends every change inside the duration', () => {
    const steps = soakSchedule(600_000, 5, 200, 5_000)
    assert.deepEqual(steps.filter((s) => s.action.kind === 'join').map((s) => (s.action as { node: string }).node), ['a4', 'a5'])
    assert.ok(steps.every((s) => s.atMs > 0 && s.atMs < 600_000))
    assert.ok(steps.some((s) => s.action.kind === 'receiver-restart') && steps.some((s) => s.action.kind === 'flap'))
  })
})
