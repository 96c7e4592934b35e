import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatSeconds, relativeTime } from '../../../../src/server/ui/format.js'

const NOW = Date.parse('2024-05-01T12:00:00Z')
const ago = (ms: number): string => new Date(NOW - ms).toISOString()

describe('relativeTime', () => {
  it('picks the largest whole unit: seconds, minutes, hours, days', () => {
    const cases: [number, string][] = [
      [0, '0s ago'],
      [12_400, '12s ago'],
      [59_999, '59s ago'],
      [60_000, '1m ago'],
      [3 * 3_600_000 + 59 * 60_000, '3h ago'],
      [2 * 86_400_000, '2d ago']
    ]
    for (const [ms, text] of cases) assert.equal(relativeTime(ago(ms), NOW), text, `${ms} ms`)
  })

  it('says "never" for no time and "in …" for a time ahead of now', () => {
    assert.equal(relativeTime(null, NOW), 'never')
    assert.equal(relativeTime(ago(-5000), NOW), 'in 5s')
  })

  it('shows an unparsable time as it is', () => {
    assert.equal(relativeTime('yesterday', NOW), 'yesterday')
  })
})

describe('formatSeconds', () => {
  it('shows milliseconds under a second and seconds above', () => {
    assert.equal(formatSeconds(0.25), '250ms')
    assert.equal(formatSeconds(1.256), '1.26s')
    assert.equal(formatSeconds(null), '')
  })
})
