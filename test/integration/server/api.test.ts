import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { httpRequest } from '../../helpers/http.js'
import { SECRET_TEXTS, downTarget, enabledCluster, startTestServer, upTarget } from './fixture.js'
import type { TestServer } from './fixture.js'

const TARGET_FIELDS = [
  'component',
  'job',
  'profile_type',
  'url',
  'health',
  'last_error',
  'last_scrape',
  'last_success',
  'duration_seconds',
  'labels'
].sort()

interface TargetsBody {
  total: number
  targets: Record<string, unknown>[]
}

async function getJson<T>(server: TestServer, path: string): Promise<{ status: number; type: string | undefined; body: T }> {
  const res = await httpRequest(server.base + path)
  return { status: res.status, type: String(res.headers['content-type']), body: res.json<T>() }
}

describe('debug server JSON API', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  it('lists every target with exactly the documented fields, as JSON', async () => {
    const res = await getJson<TargetsBody>(server, '/api/v1/targets')
    assert.equal(res.status, 200)
    assert.match(res.type ?? '', /^application\/json/)
    assert.equal(res.body.total, 2)
    for (const t of res.body.targets) assert.deepEqual(Object.keys(t).sort(), TARGET_FIELDS)
    // Ordered by component: "pyroscope.scrape.default" before "pyroscope.scrape.other".
    assert.deepEqual(res.body.targets, [upTarget(), downTarget()])
  })

  it('filters targets by component, health, job and text', async () => {
    const byComponent = await getJson<TargetsBody>(server, `/api/v1/targets?component=${downTarget().component}`)
    assert.deepEqual(byComponent.body.targets.map((t) => t['url']), [downTarget().url])
    const down = await getJson<TargetsBody>(server, '/api/v1/targets?health=down')
    assert.deepEqual(down.body, { total: 1, targets: [downTarget()] })
    const byJob = await getJson<TargetsBody>(server, '/api/v1/targets?job=api')
    assert.deepEqual(byJob.body, { total: 1, targets: [upTarget()] })
    const byError = await getJson<TargetsBody>(server, '/api/v1/targets?q=econnrefused')
    assert.deepEqual(byError.body.targets.map((t) => t['health']), ['down'])
    const byLabel = await getJson<TargetsBody>(server, '/api/v1/targets?q=service_name%3Dapi')
    assert.deepEqual(byLabel.body.targets.map((t) => t['job']), ['api'])
    const none = await getJson<TargetsBody>(server, '/api/v1/targets?health=unknown')
    assert.deepEqual(none.body, { total: 0, targets: [] })
  })

  it('pages targets with limit and offset while total counts every match', async () => {
    const first = await getJson<TargetsBody>(server, '/api/v1/targets?limit=1')
    assert.deepEqual(first.body, { total: 2, targets: [upTarget()] })
    const second = await getJson<TargetsBody>(server, '/api/v1/targets?limit=1&offset=1')
    assert.deepEqual(second.body, { total: 2, targets: [downTarget()] })
    const beyond = await getJson<TargetsBody>(server, '/api/v1/targets?offset=5')
    assert.deepEqual(beyond.body, { total: 2, targets: [] })
  })

  it('answers 400 with a reason for a bad paging or health parameter', async () => {
    const badLimit = await getJson<{ error: string }>(server, '/api/v1/targets?limit=-1')
    assert.equal(badLimit.status, 400)
    assert.match(badLimit.body.error, /invalid limit "-1"/)
    const badHealth = await getJson<{ error: string }>(server, '/api/v1/targets?health=sick')
    assert.equal(badHealth.status, 400)
    assert.match(badHealth.body.error, /invalid health "sick"/)
  })

  it('lists components with their fields and secrets shown as (secret)', async () => {
    const res = await getJson<Record<string, unknown>[]>(server, '/api/v1/components')
    assert.equal(res.status, 200)
    assert.deepEqual(
      res.body.map((c) => Object.keys(c).sort()),
      // The original fields, plus the dependencies both ways.
      res.body.map(() => ['arguments', 'debug', 'health', 'health_message', 'id', 'referenced_by', 'references', 'type'])
    )
    assert.deepEqual(res.body[0]?.['references'], ['pyroscope.write.default'])
    assert.deepEqual(res.body[1]?.['referenced_by'], ['pyroscope.scrape.default'])
    const scrape = res.body[0]
    assert.equal(scrape?.['id'], 'pyroscope.scrape.default')
    assert.equal(scrape?.['health'], 'healthy')
    assert.deepEqual(scrape?.['arguments'], {
      job_name: 'api',
      http_client_config: { basic_auth: { username: 'admin', password: '(secret)' }, bearer_token: '(secret)' }
    })
    assert.equal(res.body[1]?.['health'], 'unhealthy')
  })

  it('shows the cluster view as it is', async () => {
    const res = await getJson<unknown>(server, '/api/v1/cluster')
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, enabledCluster())
  })

  it('never lets a secret text reach any response body', async () => {
    const paths = ['/', '/components', '/component?id=pyroscope.scrape.default', '/graph', '/profiles', '/cluster', '/api/v1/components', '/api/v1/targets', '/api/v1/cluster', '/metrics', '/-/healthy', '/-/ready']
    for (const path of paths) {
      const body = (await httpRequest(server.base + path, { followRedirects: true })).text()
      assert.ok(body.length > 0, `${path} answered an empty body`)
      for (const secret of SECRET_TEXTS) assert.ok(!body.includes(secret), `${path} leaked a secret`)
    }
    const ui = (await httpRequest(`${server.base}/component?id=pyroscope.scrape.default`)).text()
    assert.ok(ui.includes('password = (secret)'), 'the component page shows secrets as (secret)')
  })

  it('answers 404 for an unknown path and 405 for a method other than GET or HEAD', async () => {
    const missing = await httpRequest(`${server.base}/api/v1/nothing`)
    assert.equal(missing.status, 404)
    const post = await httpRequest(`${server.base}/api/v1/targets`, { method: 'POST', body: '{}' })
    assert.equal(post.status, 405)
    assert.equal(post.headers['allow'], 'GET, HEAD')
  })
})
