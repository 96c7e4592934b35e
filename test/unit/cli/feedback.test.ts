import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { HealthTracker, MAX_CHANGE_LINES } from '../../../src/cli/feedback.js'
import type { TargetView } from '../../../src/server/index.js'
import { createLogger } from '../../../src/util/logger.js'

function capture(): { tracker: HealthTracker; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
        done()
      }
    })
  })
  return { tracker: new HealthTracker(logger), lines }
}

const target = (url: string, health: TargetView['health'], last_error = ''): TargetView => ({
  component: 'pyroscope.scrape.s',
  job: 'j',
  profile_type: 'goroutine',
  url,
  health,
  last_error,
  last_scrape: null,
  last_success: null,
  duration_seconds: null,
  labels: {}
})

describe('HealthTracker', () => {
  it('logs a first success, a failure with its error, and only changes after that', () => {
    const { tracker, lines } = capture()
    tracker.check([target('http://a', 'unknown'), target('http://b', 'unknown')])
    assert.equal(lines.length, 0, 'nothing before the first scrape')
    tracker.check([target('http://a', 'up'), target('http://b', 'down', 'connection refused')])
    assert.deepEqual(lines.map((l) => [l['url'], l['msg'], l['error']]), [
      ['http://a', 'target up: first successful scrape', undefined],
      ['http://b', 'target down: first scrape failed', 'connection refused']
    ])
    tracker.check([target('http://a', 'up'), target('http://b', 'down', 'connection refused')])
    assert.equal(lines.length, 2, 'no line while nothing changes')
    tracker.check([target('http://a', 'down', 'timeout'), target('http://b', 'up')])
    tracker.check([target('http://a', 'up'), target('http://b', 'up')])
    assert.deepEqual(lines.slice(2).map((l) => [l['url'], l['msg']]), [
      ['http://a', 'target down'],
      ['http://b', 'target up: first successful scrape'],
      ['http://a', 'target up again']
    ])
  })

  it('summarises many changes in one check as one line with the commonest errors', () => {
    const { tracker, lines } = capture()
    const many = Array.from({ length: MAX_CHANGE_LINES + 5 }, (_, i) => target(`http://t${i}`, i < 3 ? 'up' : 'down', i < 7 ? 'connection refused' : 'timeout'))
    tracker.check(many)
    assert.equal(lines.length, 1)
    assert.equal(lines[0]?.['msg'], `${many.length} targets changed health: 3 up, ${many.length - 3} down`)
    assert.equal(lines[0]?.['errors'], '4 × connection refused; 3 × timeout')
    assert.equal(lines[0]?.['first_successes'], 3)
  })

  it('forgets targets that went away, so one that comes back is new again', () => {
    const { tracker, lines } = capture()
    tracker.check([target('http://a', 'up')])
    tracker.check([])
    tracker.check([target('http://a', 'up')])
    assert.deepEqual(lines.map((l) => l['msg']), ['target up: first successful scrape', 'target up: first successful scrape'])
  })
})
