import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { uiTargetQuery } from '../../../../src/server/routes/ui.js'
import { TARGETS_PAGE_SIZE, pageHref, renderTargetsPage } from '../../../../src/server/ui/targets-page.js'
import { groupTargets } from '../../../../src/server/ui/target-groups.js'
import type { TargetView } from '../../../../src/server/view.js'

describe('uiTargetQuery', () => {
  it('turns the page number into an offset of whole pages', () => {
    const query = uiTargetQuery(new URLSearchParams(''), 3)
    assert.equal(query.offset, 2 * TARGETS_PAGE_SIZE)
    assert.equal(query.limit, TARGETS_PAGE_SIZE)
  })

  it('ignores an unknown health instead of failing, and trims the text filter', () => {
    assert.deepEqual(uiTargetQuery(new URLSearchParams('health=sick&q=%20api%20'), 1), {
      offset: 0,
      limit: TARGETS_PAGE_SIZE,
      q: 'api'
    })
  })
})

describe('pageHref', () => {
  it('keeps the filters when moving to another page', () => {
    const query = uiTargetQuery(new URLSearchParams('q=a b&health=down&component=x'), 1)
    const href = new URL(pageHref(query, 4), 'http://h')
    assert.equal(href.pathname, '/')
    assert.deepEqual(Object.fromEntries(href.searchParams), { q: 'a b', health: 'down', component: 'x', page: '4' })
  })
})

describe('renderTargetsPage', () => {
  it('links a profile type to its flame graph only once a latest profile is kept (not after a cumulative baseline)', () => {
    const type = (profile_type: string, id: string): TargetView => ({
      component: 'pyroscope.scrape.s',
      job: 'j',
      profile_type,
      url: `http://127.0.0.1:6060/${profile_type}`,
      health: 'up',
      last_error: '',
      last_scrape: '2026-12-03T10:00:00.000Z',
      last_success: '2026-12-03T10:00:00.000Z',
      duration_seconds: 0.01,
      labels: { instance: '127.0.0.1:6060' },
      id
    })
    const all = [type('memory', 'm1'), type('goroutine', 'g1')]
    const groups = groupTargets(all)
    const html = renderTargetsPage({
      all,
      shown: { total: groups.length, groups },
      query: uiTargetQuery(new URLSearchParams(''), 1),
      pageNumber: 1,
      cluster: { enabled: false, self: null, peers: [], ownership: {}, view_version: 0 },
      nowMs: Date.parse('2026-12-03T10:00:05.000Z'),
      hasLatest: (_component, id) => id === 'g1'
    })
    const links = [...html.matchAll(/<a class="chip-link" href="([^"]+)">/g)].map((m) => m[1])
    assert.deepEqual(links, ['/flamegraph?source=latest&amp;component=pyroscope.scrape.s&amp;id=g1'])
    assert.match(html, /<span class="chip health-up"[^>]*>memory<\/span>/)
  })
})
