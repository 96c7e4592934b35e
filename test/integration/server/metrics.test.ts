import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { httpRequest } from '../../helpers/http.js'
import { fixtureView, startTestServer } from './fixture.js'
import type { TestServer } from './fixture.js'

interface MetricFamily {
  name: string
  type: string
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }[]
}

// The parser ships no type definitions; its documented output shape is declared above.
const parsePrometheusText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[]

describe('/metrics', () => {
  let server: TestServer
  let registry: Registry
  before(async () => {
    registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const scrapes = new Counter({ name: 'test_scrapes_total', help: 'scrapes', labelNames: ['job'], registers: [registry] })
    scrapes.inc({ job: 'api' }, 3)
    new Gauge({ name: 'test_targets', help: 'targets', registers: [registry] }).set(42)
    new Histogram({ name: 'test_scrape_seconds', help: 'duration', buckets: [0.1, 1], registers: [registry] }).observe(0.5)
    server = await startTestServer(fixtureView(), registry)
  })
  after(() => server.close())

  it('serves the registry in the Prometheus text format with its content type', async () => {
    const res = await httpRequest(`${server.base}/metrics`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], registry.contentType)
    const families = new Map(parsePrometheusText(res.text()).map((f) => [f.name, f]))

    assert.equal(families.get('test_scrapes_total')?.type, 'COUNTER')
    assert.deepEqual(families.get('test_scrapes_total')?.metrics, [{ value: '3', labels: { job: 'api' } }])
    assert.equal(families.get('test_targets')?.type, 'GAUGE')
    assert.equal(families.get('test_targets')?.metrics[0]?.value, '42')
    const histogram = families.get('test_scrape_seconds')
    assert.equal(histogram?.type, 'HISTOGRAM')
    assert.equal(histogram?.metrics[0]?.count, '1')
    assert.deepEqual(histogram?.metrics[0]?.buckets, { '0.1': '0', '1': '1', '+Inf': '1' })
  })

  it('includes the default process metrics registered by collectDefaultMetrics', async () => {
    const families = new Map(parsePrometheusText((await httpRequest(`${server.base}/metrics`)).text()).map((f) => [f.name, f]))
    assert.equal(families.get('process_cpu_user_seconds_total')?.type, 'COUNTER')
    assert.equal(families.get('nodejs_heap_size_total_bytes')?.type, 'GAUGE')
    assert.equal(families.get('nodejs_gc_duration_seconds')?.type, 'HISTOGRAM')
  })
})
