/**
 * Target churn through a real discovery.http server: targets that appear start their loops, targets that
 * vanish stop theirs at once (no more requests reach them), and nothing is left running after stop: once
 * stop resolves, a control agent (another agent scraping the same server) sees two more intervals pass
 * while the stopped agent's targets and discovery get no request.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { gzipSync } from 'node:zlib'
import { samplePprof } from '../../helpers/bad-targets.js'
import { closedPort, listenOnLoopback } from '../../helpers/free-port.js'
import type { Listening } from '../../helpers/free-port.js'
import { startAgent } from '../../helpers/agent.js'
import type { InProcessAgent } from '../../helpers/agent.js'
import { waitFor } from '../../helpers/wait-for.js'
import { profilingOnly } from '../../helpers/config.js'
import type { ScrapeDebugInfo } from '../../../src/components/pyroscope/scrape/component.js'

describe('discovery.http target churn', () => {
  const requests = new Map<string, number>()
  let sdTargets: { targets: string[]; labels: Record<string, string> }[] = []
  let sdRequests = 0
  let sdFailing = false
  let profiles: Listening
  let sd: Listening
  let agent: InProcessAgent | undefined
  let control: InProcessAgent | undefined

  before(async () => {
    const pprof = gzipSync(samplePprof())
    profiles = await listenOnLoopback(
      createServer((req, res) => {
        const prefix = (req.url ?? '').split('/')[1] ?? ''
        requests.set(prefix, (requests.get(prefix) ?? 0) + 1)
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(pprof)
      })
    )
    sd = await listenOnLoopback(
      createServer((_req, res) => {
        sdRequests++
        if (sdFailing) res.writeHead(500, { 'content-type': 'text/plain' }).end('inventory down\n')
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sdTargets))
      })
    )
  })
  after(async () => {
    await agent?.stop()
    await control?.stop()
    await profiles.close()
    await sd.close()
  })

  const group = (name: string) => ({
    targets: [`127.0.0.1:${profiles.port}`],
    labels: { service_name: name, __profile_path_prefix__: `/${name}` }
  })
  const loops = () => agent?.debug<ScrapeDebugInfo>('pyroscope.scrape.s').active_loops

  it('starts loops for new targets, keeps the last good ones when a refresh fails, stops removed ones at once, and leaves none running', async () => {
    sdTargets = ['t1', 't2', 't3'].map(group)
    agent = await startAgent(`
discovery.http "sd" {
  url              = "http://127.0.0.1:${sd.port}/targets"
  refresh_interval = "1s"
}
pyroscope.scrape "s" {
  targets         = discovery.http.sd.targets
  forward_to      = [pyroscope.write.w.receiver]
  scrape_interval = "2s"
${profilingOnly('goroutine')}
}
pyroscope.write "w" {
  endpoint {
    url                 = "http://127.0.0.1:${await closedPort()}"
    max_backoff_retries = 1
  }
}
`)
    await waitFor(() => loops() === 3, { timeoutMs: 10_000, what: '3 loops' })
    await waitFor(() => ['t1', 't2', 't3'].every((t) => (requests.get(t) ?? 0) > 0), { timeoutMs: 10_000, what: 'a scrape of every target' })

    sdTargets = ['t1', 't2', 't3', 't4', 't5'].map(group)
    await waitFor(() => loops() === 5, { timeoutMs: 10_000, what: '5 loops' })

    // A failing refresh keeps the last good targets and says why in the component's health.
    sdFailing = true
    const failedAt = sdRequests
    await waitFor(() => sdRequests >= failedAt + 2, { timeoutMs: 10_000, what: 'two failed refreshes' })
    assert.equal(loops(), 5)
    const health = agent.controller.health('discovery.http.sd')
    assert.equal(health.state, 'unhealthy')
    assert.match(health.message, /refresh failed, keeping the last good targets \(5\): server returned HTTP status 500/)
    sdFailing = false

    sdTargets = ['t1'].map(group)
    await waitFor(() => loops() === 1, { timeoutMs: 10_000, what: '1 loop' })
    assert.equal(agent.controller.health('discovery.http.sd').state, 'healthy')
    // Removed targets get no request once t1 has been scraped twice more (two full intervals).
    const removedBefore = ['t2', 't3', 't4', 't5'].map((t) => requests.get(t) ?? 0)
    const t1Before = requests.get('t1') ?? 0
    await waitFor(() => (requests.get('t1') ?? 0) >= t1Before + 2, { timeoutMs: 10_000, what: 't1 scraped twice more' })
    assert.deepEqual(['t2', 't3', 't4', 't5'].map((t) => requests.get(t) ?? 0), removedBefore)

    sdTargets = []
    await waitFor(() => loops() === 0, { timeoutMs: 10_000, what: 'no loops' })
    assert.ok(sdRequests >= 4)

    // Stop while a loop runs; afterwards nothing of this agent may reach a server.
    sdTargets = ['t6'].map(group)
    await waitFor(() => (requests.get('t6') ?? 0) > 0, { timeoutMs: 10_000, what: 'a scrape of t6' })
    control = await startAgent(`
pyroscope.scrape "control" {
  targets         = [{"__address__" = "127.0.0.1:${profiles.port}", "service_name" = "control", "__profile_path_prefix__" = "/control"}]
  forward_to      = []
  scrape_interval = "2s"
${profilingOnly('goroutine')}
}
`)
    await waitFor(() => (requests.get('control') ?? 0) > 0, { timeoutMs: 10_000, what: 'the control agent scraping' })
    await agent.stop()
    agent = undefined
    const atStop = { t6: requests.get('t6') ?? 0, sd: sdRequests }
    const controlAtStop = requests.get('control') ?? 0
    // Two more control scrapes: at least one full interval (2 s) and a refresh interval (1 s) have passed.
    await waitFor(() => (requests.get('control') ?? 0) >= controlAtStop + 2, { timeoutMs: 10_000, what: 'two more control scrapes' })
    assert.deepEqual({ t6: requests.get('t6') ?? 0, sd: sdRequests }, atStop, 'no scrape or refresh after stop resolved')
  })
})
