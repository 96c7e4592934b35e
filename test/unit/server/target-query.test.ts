import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseTargetQuery, queryTargets } from '../../../src/server/target-query.js'
import type { TargetView } from '../../../src/server/index.js'

function target(over: Partial<TargetView>): TargetView {
  return {
    component: 'pyroscope.scrape.a',
    job: 'job',
    profile_type: 'process_cpu',
    url: 'http://127.0.0.1:1/debug/pprof/profile',
    health: 'up',
    last_error: '',
    last_scrape: null,
    last_success: null,
    duration_seconds: null,
    labels: {},
    ...over
  }
}

const params = (text: string): URLSearchParams => new URLSearchParams(text)

describe('parseTargetQuery', () => {
  it('reads every filter and the paging parameters', () => {
    assert.deepEqual(parseTargetQuery(params('component=c&job=j&health=down&q=x&limit=5&offset=10')), {
      ok: true,
      query: { component: 'c', job: 'j', health: 'down', q: 'x', limit: 5, offset: 10 }
    })
  })

  it('treats missing and empty parameters as no filter and no limit', () => {
    assert.deepEqual(parseTargetQuery(params('component=&health=&limit=')), { ok: true, query: { offset: 0 } })
  })

  it('refuses a health outside up, down, unknown', () => {
    const parsed = parseTargetQuery(params('health=UP'))
    assert.equal(parsed.ok, false)
    assert.match(parsed.ok ? '' : parsed.error, /want one of up, down, unknown/)
  })

  it('refuses limits and offsets that are not non-negative integers', () => {
    for (const bad of ['limit=-1', 'limit=1.5', 'offset=abc', 'limit=1e3', 'offset=9999999999']) {
      assert.equal(parseTargetQuery(params(bad)).ok, false, bad)
    }
  })
})

describe('queryTargets', () => {
  const targets = [
    target({ component: 'b', url: 'http://h:2/x', health: 'down', last_error: 'Connection Refused' }),
    target({ component: 'a', url: 'http://h:1/y', profile_type: 'memory', labels: { team: 'Payments' } }),
    target({ component: 'a', url: 'http://h:1/y', profile_type: 'goroutine', job: 'other' })
  ]

  it('orders by component, url and profile type so that pages are stable', () => {
    const page = queryTargets(targets, { offset: 0 })
    assert.deepEqual(
      page.targets.map((t) => `${t.component} ${t.profile_type}`),
      ['a goroutine', 'a memory', 'b process_cpu']
    )
  })

  it('counts every match in total but returns only the requested page', () => {
    const all = queryTargets(targets, { offset: 0 }).targets
    for (let offset = 0; offset <= all.length; offset++) {
      const page = queryTargets(targets, { offset, limit: 1 })
      assert.equal(page.total, all.length)
      assert.deepEqual(page.targets, all.slice(offset, offset + 1))
    }
  })

  it('matches q case-insensitively against the URL, a label and the last error', () => {
    assert.deepEqual(queryTargets(targets, { offset: 0, q: 'refused' }).targets.map((t) => t.component), ['b'])
    assert.deepEqual(queryTargets(targets, { offset: 0, q: 'team=pay' }).targets.map((t) => t.profile_type), ['memory'])
    assert.equal(queryTargets(targets, { offset: 0, q: 'H:1/Y' }).total, 2)
  })

  it('combines filters with AND', () => {
    const page = queryTargets(targets, { offset: 0, component: 'a', job: 'other', health: 'up' })
    assert.deepEqual(page.targets.map((t) => t.profile_type), ['goroutine'])
  })

  it('does not reorder the list it was given', () => {
    const input = [...targets]
    queryTargets(input, { offset: 0 })
    assert.deepEqual(input, targets)
  })
})
