import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { uiTargetQuery } from '../../../../src/server/routes/ui.js'
import { TARGETS_PAGE_SIZE, pageHref } from '../../../../src/server/ui/targets-page.js'

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
