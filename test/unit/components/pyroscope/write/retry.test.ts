import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  ERROR_DETAIL_MAX_CHARS,
  MAX_RETRY_AFTER_MS,
  classifyError,
  classifyResponse,
  nextBackoff,
  parseRetryAfter,
  retryDelay
} from '../../../../../src/components/pyroscope/write/retry.js'

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5)

describe('classifyResponse', () => {
  it('caps the body detail of an error at ERROR_DETAIL_MAX_CHARS characters, ending in "…"', () => {
    const long = 'x'.repeat(4096)
    const plain = classifyResponse(502, {}, long, { nowMs: NOW })
    assert.equal(plain.kind, 'retryable')
    assert.equal(plain.kind === 'retryable' && plain.error, `server returned HTTP 502: ${'x'.repeat(ERROR_DETAIL_MAX_CHARS - 1)}…`)
    // A Connect error is parsed first, then its message is capped.
    const connect = classifyResponse(400, {}, JSON.stringify({ code: 'invalid_argument', message: long }), { nowMs: NOW })
    assert.equal(connect.kind, 'fatal')
    const error = connect.kind === 'fatal' ? connect.error : ''
    assert.ok(error.startsWith('server returned HTTP 400: invalid_argument: xxx'), error)
    assert.ok(error.endsWith('…'))
    assert.equal(error.length, 'server returned HTTP 400: '.length + ERROR_DETAIL_MAX_CHARS)
    // Short lines are shown whole.
    const short = classifyResponse(500, {}, 'overloaded', { nowMs: NOW })
    assert.equal(short.kind === 'retryable' && short.error, 'server returned HTTP 500: overloaded')
  })

  it('treats every 2xx as success', () => {
    for (const status of [200, 202, 204]) assert.deepEqual(classifyResponse(status, {}, '', { nowMs: NOW }), { kind: 'ok' })
  })

  it('retries 5xx, 408 and 429, and nothing else', () => {
    for (const status of [500, 502, 503, 504, 408, 429]) {
      assert.equal(classifyResponse(status, {}, '', { nowMs: NOW }).kind, 'retryable', `status ${status}`)
    }
    for (const status of [400, 401, 403, 404, 409, 413, 415, 422]) {
      assert.equal(classifyResponse(status, {}, '', { nowMs: NOW }).kind, 'fatal', `status ${status}`)
    }
  })

  it('makes 429 final when retry_on_http_429 is false', () => {
    assert.equal(classifyResponse(429, {}, '', { nowMs: NOW, retryOn429: false }).kind, 'fatal')
  })

  it('reads Retry-After in seconds', () => {
    assert.deepEqual(classifyResponse(429, { 'retry-after': '7' }, '', { nowMs: NOW }), {
      kind: 'retryable',
      error: 'server returned HTTP 429',
      retryAfterMs: 7000
    })
  })

  it('reads Retry-After as an HTTP-date', () => {
    const at = new Date(NOW + 12_000).toUTCString()
    const result = classifyResponse(503, { 'retry-after': at }, '', { nowMs: NOW })
    assert.ok(result.kind === 'retryable' && result.retryAfterMs === 12_000, JSON.stringify(result))
  })

  it("shows a Connect error body's code and message, and otherwise the body's first line", () => {
    const connect = classifyResponse(400, {}, '{"code":"invalid_argument","message":"bad labels"}', { nowMs: NOW })
    assert.deepEqual(connect, { kind: 'fatal', error: 'server returned HTTP 400: invalid_argument: bad labels' })
    const plain = classifyResponse(500, {}, 'boom', { nowMs: NOW })
    assert.deepEqual(plain, { kind: 'retryable', error: 'server returned HTTP 500: boom' })
  })
})

describe('parseRetryAfter', () => {
  it('ignores absent, negative, fractional and non-date values', () => {
    for (const v of [undefined, '', '-1', '1.5', 'soon', '5s']) assert.equal(parseRetryAfter(v, NOW), undefined, String(v))
  })

  it('never gives a negative delay for a date in the past', () => {
    assert.equal(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW), 0)
  })
})

describe('classifyError', () => {
  it('retries connection failures, resets and timeouts', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
    const headers = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })
    for (const err of [refused, reset, headers, new Error('unknown failure')]) {
      assert.equal(classifyError(err).kind, 'retryable', err.message)
    }
  })

  it('does not retry a request that can never be sent (invalid argument), and names the code', () => {
    const invalid = Object.assign(new Error('invalid header'), { code: 'UND_ERR_INVALID_ARG' })
    assert.deepEqual(classifyError(invalid), { kind: 'fatal', error: 'UND_ERR_INVALID_ARG: invalid header' })
  })

  it('finds the code on a wrapped cause', () => {
    const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('bad url'), { code: 'ERR_INVALID_URL' }) })
    assert.equal(classifyError(wrapped).kind, 'fatal')
  })
})

describe('nextBackoff', () => {
  const lowest = (): number => 0
  const highest = (): number => 0.999999

  it('starts uniform in [min, 2·min) and doubles both bounds, as dskit', () => {
    assert.equal(nextBackoff(1, 500, 300_000, lowest), 500)
    assert.ok(nextBackoff(1, 500, 300_000, highest) < 1000)
    assert.equal(nextBackoff(2, 500, 300_000, lowest), 1000)
    assert.equal(nextBackoff(3, 500, 300_000, lowest), 2000)
    assert.ok(nextBackoff(3, 500, 300_000, highest) < 4000 && nextBackoff(3, 500, 300_000, highest) >= 3999)
  })

  it('stops doubling once the upper bound reaches max, keeping the last lower bound', () => {
    // [500,1000) [1000,2000) [2000,3000) then stays [2000,3000)
    assert.equal(nextBackoff(3, 500, 3000, lowest), 2000)
    assert.equal(nextBackoff(10, 500, 3000, lowest), 2000)
    assert.ok(nextBackoff(50, 500, 3000, highest) < 3000)
  })

  it('stays within [min, max] for any attempt and random value', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (const r of [0, 0.3, 0.7, 0.999]) {
        const d = nextBackoff(attempt, 100, 10_000, () => r)
        assert.ok(d >= 100 && d <= 10_000, `attempt ${attempt} r ${r} → ${d}`)
      }
    }
  })

  it('returns max when min is not below max', () => {
    assert.equal(nextBackoff(3, 1000, 1000, lowest), 1000)
  })
})

describe('retryDelay', () => {
  it('waits for Retry-After when it is longer than the backoff', () => {
    assert.equal(retryDelay(1, 10, 100, () => 0, 2000), 2000)
  })

  it('keeps the backoff when Retry-After is shorter', () => {
    assert.equal(retryDelay(1, 500, 5000, () => 0, 100), 500)
  })

  it('caps an excessive Retry-After', () => {
    assert.equal(retryDelay(1, 10, 100, () => 0, 24 * 3600_000), MAX_RETRY_AFTER_MS)
  })
})

describe('nextBackoff (properties)', () => {
  it('stays in [min, max) and never shrinks its lower bound as attempts grow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, min, extra, r) => {
          const max = min + extra
          const d = nextBackoff(attempt, min, max, () => r)
          const floorNow = nextBackoff(attempt, min, max, () => 0)
          const floorNext = nextBackoff(attempt + 1, min, max, () => 0)
          return d >= min && d < max && floorNext >= floorNow
        }
      ),
      { numRuns: 300 }
    )
  })
})
