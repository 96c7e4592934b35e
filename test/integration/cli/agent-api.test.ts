/**
 * A real `shardscope run` process scraping the real Go target (up) and a closed port (down): the debug API
 * shows both with exact fields, and no secret of the config appears in any response or log line.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closedPort, freePort } from '../../helpers/free-port.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'
import { httpRequest } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait-for.js'
import { profilingOnly } from '../../helpers/config.js'

const SECRETS = ['bearer-s3cr3t-value', 'basic-p4ssw0rd-value', 'oauth-cl1ent-secret', 'pr0xy-p4ss-value', 'hdr-t0ken-value', 'p4ram-t0ken-value']

interface ApiTarget {
  component: string
  job: string
  profile_type: string
  url: string
  health: string
  last_error: string
  last_scrape: string | null
  last_success: string | null
  duration_seconds: number | null
  labels: Record<string, string>
}

describe('the agent API against real targets', () => {
  let go: GoTarget
  let agent: RunningProcess | undefined
  let dir = ''
  let base = ''
  let downPort = 0

  before(async () => {
    go = await startGoTarget({ service: 'api' })
    dir = await mkdtemp(join(tmpdir(), 'shardscope-api-'))
    downPort = await closedPort()
    const receiverPort = await freePort()
    const config = `
pyroscope.scrape "up" {
  targets         = [{"__address__" = "${go.address}", "service_name" = "go-app"}]
  forward_to      = [pyroscope.write.local.receiver]
  scrape_interval = "2s"
  bearer_token    = "${SECRETS[0]}"
${profilingOnly('goroutine')}
}
pyroscope.scrape "down" {
  targets         = [{"__address__" = "127.0.0.1:${downPort}", "service_name" = "gone"}]
  forward_to      = [pyroscope.write.local.receiver]
  scrape_interval = "2s"
  params          = {"token" = ["${SECRETS[5]}"]}
  oauth2 {
    client_id     = "agent"
    client_secret = "${SECRETS[2]}"
    token_url     = "http://127.0.0.1:${downPort}/token"
    proxy_url     = "http://proxyuser:${SECRETS[3]}@127.0.0.1:${downPort}"
  }
${profilingOnly('goroutine')}
}
pyroscope.write "local" {
  endpoint {
    url     = "http://127.0.0.1:${receiverPort}"
    headers = {"Authorization" = "Bearer ${SECRETS[4]}", "X-Scope-OrgID" = "tenant-a"}
    basic_auth {
      username = "agent"
      password = "${SECRETS[1]}"
    }
  }
}
pyroscope.receive_http "local" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${receiverPort}
  }
  storage_path = ${JSON.stringify(join(dir, 'store'))}
}
`
    await writeFile(join(dir, 'agent.alloy'), config)
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', `127.0.0.1:${port}`, '--storage.path', join(dir, 'data'), '--log.level', 'debug'])
    await agent.waitForOutput(/msg=starting/)
  })
  after(async () => {
    await agent?.stop()
    await go?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  async function get(path: string): Promise<{ status: number; text: string }> {
    const res = await httpRequest(base + path, { followRedirects: true })
    return { status: res.status, text: res.text() }
  }

  it('shows the up and the down target with exact fields', async () => {
    const targets = await waitFor(
      async () => {
        const body = JSON.parse((await get('/api/v1/targets')).text) as { total: number; targets: ApiTarget[] }
        const up = body.targets.find((t) => t.component === 'pyroscope.scrape.up')
        const down = body.targets.find((t) => t.component === 'pyroscope.scrape.down')
        return up?.health === 'up' && down?.health === 'down' ? { up, down, total: body.total } : undefined
      },
      { timeoutMs: 15_000, what: 'one target up and one down' }
    )
    assert.equal(targets.total, 2)
    const { up, down } = targets
    assert.deepEqual(Object.keys(up).sort(), [
      'component', 'duration_seconds', 'health', 'id', 'job', 'labels', 'last_error', 'last_scrape', 'last_success', 'profile_type', 'url'
    ])
    assert.match((up as ApiTarget & { id: string }).id, /^[0-9a-f]{16}$/, 'the loop id names the latest profile (/api/v1/profiles/latest)')
    assert.equal(up.job, 'pyroscope.scrape.up')
    assert.equal(up.profile_type, 'goroutine')
    assert.equal(up.url, `http://${go.address}/debug/pprof/goroutine`)
    assert.equal(up.last_error, '')
    assert.ok(up.last_success !== null && up.last_success === up.last_scrape)
    assert.ok(typeof up.duration_seconds === 'number' && up.duration_seconds >= 0)
    assert.deepEqual(up.labels, { __name__: 'goroutine', instance: go.address, job: 'pyroscope.scrape.up', service_name: 'go-app' })

    assert.equal(down.url, `http://127.0.0.1:${downPort}/debug/pprof/goroutine?token=xxxxx`)
    assert.equal(down.last_success, null)
    assert.ok(down.last_scrape !== null)
    assert.match(down.last_error, /oauth2 token|connection refused/)

    const filtered = JSON.parse((await get('/api/v1/targets?health=down')).text) as { targets: ApiTarget[] }
    assert.deepEqual(filtered.targets.map((t) => t.component), ['pyroscope.scrape.down'])
  })

  it('never shows a secret in any response or log line', async () => {
    const pages = ['/component?id=pyroscope.scrape.up', '/component?id=pyroscope.scrape.down', '/component?id=pyroscope.write.local', '/graph', '/profiles', '/api/v1/profiles/latest']
    const bodies = await Promise.all(['/api/v1/targets', '/api/v1/components', '/api/v1/cluster', '/', '/components', '/metrics', ...pages].map(get))
    const components = JSON.parse(bodies[1]?.text ?? '[]') as { id: string; arguments: Record<string, unknown> }[]
    const up = components.find((c) => c.id === 'pyroscope.scrape.up')
    assert.equal(up?.arguments['http_client'] && (up.arguments['http_client'] as Record<string, unknown>)['bearer_token'], '(secret)')
    for (const secret of SECRETS) {
      for (const b of bodies) assert.ok(!b.text.includes(secret), `a response contains ${secret}`)
      assert.ok(!agent!.output().includes(secret), `the log contains ${secret}`)
    }
  })
})
