import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { normalizeUiPrefix, prefixUiLinks, uiRedirect } from '../../../src/server/ui-prefix.js'

describe('UI path prefix', () => {
  it('normalizes the flag value', () => {
    assert.equal(normalizeUiPrefix(undefined), '/')
    assert.equal(normalizeUiPrefix('/'), '/')
    assert.equal(normalizeUiPrefix('/alloy'), '/alloy/')
    assert.equal(normalizeUiPrefix('/a/b/'), '/a/b/')
  })

  it('serves the UI under the prefix, redirects the root there, and leaves the API at the root', () => {
    const p = '/ui/'
    assert.equal(uiRedirect('/components', '/'), undefined)
    assert.deepEqual(uiRedirect('/', p), { location: '/ui/' })
    assert.deepEqual(uiRedirect('/ui', p), { location: '/ui/' })
    assert.deepEqual(uiRedirect('/ui/', p), { path: '/' })
    assert.deepEqual(uiRedirect('/ui/components', p), { path: '/components' })
    assert.deepEqual(uiRedirect('/components', p), { notFound: true })
    assert.deepEqual(uiRedirect('/ui/nope', p), { notFound: true })
    assert.equal(uiRedirect('/api/v0/targets', p), undefined)
    assert.equal(uiRedirect('/metrics', p), undefined)
  })

  it('rewrites the links to UI pages only', () => {
    const html = '<a href="/">T</a><a href="/components">C</a><a href="/?page=2">2</a><form action="/"></form><a href="/api/v0/targets">api</a>'
    assert.equal(
      prefixUiLinks(html, '/ui/'),
      '<a href="/ui/">T</a><a href="/ui/components">C</a><a href="/ui/?page=2">2</a><form action="/ui/"></form><a href="/api/v0/targets">api</a>'
    )
    assert.equal(prefixUiLinks(html, '/'), html)
  })

  it('serves the component, graph and profile pages and the flame graph scripts under the prefix; downloads stay in the API', () => {
    const p = '/ui/'
    for (const page of ['/component', '/graph', '/profiles', '/stored', '/flamegraph', '/assets/d3.min.js']) {
      assert.deepEqual(uiRedirect(`/ui${page}`, p), { path: page })
      assert.deepEqual(uiRedirect(page, p), { notFound: true })
    }
    assert.equal(uiRedirect('/api/v1/profiles/latest/pprof', p), undefined)
    const html = '<a href="/component?id=a">a</a><script src="/assets/d3.min.js"></script><a href="/flamegraph?source=latest">f</a><a href="/api/v1/profiles/latest/pprof?id=1">d</a>'
    assert.equal(
      prefixUiLinks(html, p),
      '<a href="/ui/component?id=a">a</a><script src="/ui/assets/d3.min.js"></script><a href="/ui/flamegraph?source=latest">f</a><a href="/api/v1/profiles/latest/pprof?id=1">d</a>'
    )
  })
})
