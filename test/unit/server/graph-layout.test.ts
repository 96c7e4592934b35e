import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { layoutGraph } from '../../../src/server/ui/graph-layout.js'

describe('component graph layout', () => {
  const graph = layoutGraph([
    { id: 'discovery.http.d', health: 'healthy', references: [] },
    { id: 'pyroscope.write.w', health: 'healthy', references: [] },
    { id: 'pyroscope.scrape.s', health: 'unhealthy', references: ['discovery.http.d', 'pyroscope.write.w'] },
    { id: 'pyroscope.receive_http.r', health: 'healthy', references: ['pyroscope.write.w'] }
  ])
  const node = (id: string): { x: number; y: number } => {
    const n = graph.nodes.find((x) => x.id === id)
    assert.ok(n, id)
    return n
  }

  it('puts a component right of every component that references it, so arrows point right', () => {
    for (const e of graph.edges) assert.ok(node(e.from).x < node(e.to).x, `${e.from} -> ${e.to}`)
    assert.equal(node('pyroscope.scrape.s').x, node('pyroscope.receive_http.r').x)
    assert.equal(node('discovery.http.d').x, node('pyroscope.write.w').x)
  })

  it('draws one edge per reference, from the referencing component', () => {
    assert.deepEqual(graph.edges.map((e) => `${e.from} -> ${e.to}`), [
      'pyroscope.scrape.s -> discovery.http.d',
      'pyroscope.scrape.s -> pyroscope.write.w',
      'pyroscope.receive_http.r -> pyroscope.write.w'
    ])
    for (const e of graph.edges) assert.match(e.path, /^M[\d.]+,[\d.]+ C/)
  })

  it('sizes the drawing to hold every node, each wide enough for its id', () => {
    for (const n of graph.nodes) {
      assert.ok(n.x + graph.nodeWidth <= graph.width && n.y + graph.nodeHeight <= graph.height, n.id)
    }
    assert.ok(graph.nodeWidth >= 'pyroscope.receive_http.r'.length * 7)
    const rows = new Set(graph.nodes.filter((n) => n.x === node('pyroscope.scrape.s').x).map((n) => n.y))
    assert.equal(rows.size, 2, 'nodes of one column do not overlap')
  })

  it('survives a reference cycle and a reference to an unknown component', () => {
    const cyclic = layoutGraph([
      { id: 'a', health: 'healthy', references: ['b', 'missing'] },
      { id: 'b', health: 'healthy', references: ['a'] }
    ])
    assert.equal(cyclic.nodes.length, 2)
    assert.equal(cyclic.edges.length, 2)
  })
})
