import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { STORED_PAGE_SIZE, parseLabelTerms, parseStoredQuery } from '../../../src/server/stored-query.js'

const parse = (query: string): ReturnType<typeof parseStoredQuery> => parseStoredQuery(new URLSearchParams(query))

describe('stored profiles filter', () => {
  it('reads label terms written in several ways', () => {
    assert.deepEqual(parseLabelTerms('service_name=api __name__=memory'), { ok: true, terms: [['service_name', 'api'], ['__name__', 'memory']] })
    assert.deepEqual(parseLabelTerms('{service_name="my api", env="a\\"b"}'), { ok: true, terms: [['service_name', 'my api'], ['env', 'a"b']] })
    assert.deepEqual(parseLabelTerms('a=1,b=2'), { ok: true, terms: [['a', '1'], ['b', '2']] })
    assert.deepEqual(parseLabelTerms('  '), { ok: true, terms: [] })
  })

  it('refuses text that is not name=value terms, saying what it wants', () => {
    const bad = parseLabelTerms('service_name')
    assert.equal(bad.ok, false)
    assert.match(!bad.ok ? bad.error : '', /want name=value terms/)
    assert.equal(parseLabelTerms('a=1 junk').ok, false)
  })

  it('reads a UTC time range, as a datetime-local input or RFC 3339', () => {
    const q = parse('from=2025-01-02T03:04&to=2025-01-02T05:00:00%2B02:00')
    assert.ok(q.ok)
    assert.equal(q.query.fromMs, Date.parse('2025-01-02T03:04:00Z'))
    assert.equal(q.query.toMs, Date.parse('2025-01-02T03:00:00Z'))
    const bad = parse('from=yesterday')
    assert.ok(!bad.ok && /invalid from "yesterday"/.test(bad.error))
  })

  it('pages with a default and a cap', () => {
    const q = parse('')
    assert.ok(q.ok)
    assert.deepEqual(q.query, { labels: [], offset: 0, limit: STORED_PAGE_SIZE })
    const capped = parse('offset=10&limit=99999')
    assert.ok(capped.ok && capped.query.limit === 1000 && capped.query.offset === 10)
    assert.equal(parse('offset=-1').ok, false)
  })
})
