/**
 * The churn soak's one-minute mode (`npm run soak` runs ten minutes): four agent processes, 60 targets at a
 * 2 s interval, a receiver process, and one of each change — join, kill -9 and restart, graceful leave and
 * restart, receiver restart, target flap. Sized for two shared cores.
 */
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatReport } from '../../soak/report.js'
import { runSoak } from '../../soak/soak.js'
import type { SoakReport } from '../../soak/soak.js'

const INTERVAL_MS = 2_000

describe('the one-minute churn soak', { timeout: 150_000 }, () => {
  let report: SoakReport

  before(async () => {
    const progress: string[] = []
    report = await runSoak({ durationMs: 60_000, agents: 4, targets: 60, intervalMs: INTERVAL_MS, log: (line) => progress.push(line) })
  })

  it('went through every kind of change it schedules', (t) => {
    for (const line of formatReport(report).split('\n')) t.diagnostic(line)
    const events = report.events.map((e) => e.what)
    for (const expected of ['join a4', 'kill -9 a2', 'restart a2', 'SIGTERM a3 (graceful leave)', 'restart a3', 'receiver back']) {
      assert.ok(events.includes(expected), `${expected} in ${events.join(' | ')}`)
    }
    assert.ok(report.accounting.failed > 0, 'flapping targets answered 503')
    assert.deepEqual(
      report.accounting.incarnations.map((p) => `${p.name}:${p.end}`),
      ['a1:sigterm', 'a2:sigkill', 'a3:sigterm', 'a4:sigterm', 'a2:sigterm', 'a3:sigterm']
    )
  })

  it('accounts for every scraped profile: stored, dropped, or within the kill -9 loss bound', () => {
    const a = report.accounting
    assert.ok(a.stored > 0 && a.scraped > 0)
    assert.equal(a.unaccounted, 0, `gap ${a.gap} (scraped ${a.scraped} − stored ${a.stored} − dropped ${a.dropped}), kill -9 bound ${a.killLossBound}`)
    assert.ok(a.killLoss <= a.killLossBound)
    for (const [type, t] of Object.entries(a.byType)) assert.ok(t.stored <= t.scraped, `${type}: stored ${t.stored} of ${t.scraped}`)
  })

  it('scrapes every (target, type) exactly once per interval outside the kill -9 window', () => {
    const i = report.intervals
    assert.equal(Object.keys(i.perSeries).length, 120)
    // 60 s at 2 s: about 30 points per series.
    assert.ok(i.points >= 120 * 28, `${i.points} points`)
    assert.deepEqual(i.unexpectedPoints, [])
    assert.equal(i.zero.unexpected + i.double.unexpected, 0)
  })

  it('leaves no process behind and saw no crash', () => {
    assert.deepEqual(report.crashes, [])
    assert.equal(report.leftoverProcesses, 0)
  })
})
