/**
 * Config reload of a real `shardscope run` process, by a real SIGHUP and by `POST /-/reload`:
 * - a valid new file is applied: a new component starts, the changed scrape component gets its new target,
 *   and the loop of its unchanged target keeps its delta state (every scrape after the first still yields
 *   one profile: a restarted loop would take a new baseline and lose one);
 * - a bad file is refused with its positioned errors (400, and a log line for SIGHUP), the running config
 *   stays and keeps scraping; SIGHUP never stops the process;
 * - shardscope_config_last_load_successful / _success_timestamp_seconds / _config_hash follow.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { httpRequest } from '../../helpers/http.js'
import { metricValue } from '../../helpers/metrics.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { startRecordingReceiver } from '../../helpers/receiver.js'
import type { RecordingReceiver } from '../../helpers/receiver.js'
import { startRecordingServer } from '../../helpers/recording-server.js'
import type { RecordingServer } from '../../helpers/recording-server.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

/** A cumulative Go-style heap profile whose alloc counters grow with every request. */
function heapProfile(allocs: number): Buffer {
  const stringTable = new Profile().stringTable
  const s = (v: string) => stringTable.dedup(v)
  return gzipSync(
    new Profile({
      sampleType: [
        { type: s('alloc_objects'), unit: s('count') },
        { type: s('alloc_space'), unit: s('bytes') }
      ],
      function: [{ id: 1, name: s('main.alloc'), filename: s('main.go') }],
      location: [{ id: 1, line: [{ functionId: 1, line: 10 }] }],
      sample: [{ locationId: [1], value: [allocs, allocs * 100] }],
      stringTable
    }).encode()
  )
}

function config(targetPort: number, receiverUrl: string, opts: { second: boolean; extra: boolean }): string {
  const target = (name: string) => `{"__address__" = "127.0.0.1:${targetPort}", "__profile_path_prefix__" = "/${name}", "service_name" = "${name}"}`
  const profiling = `
  profiling_config {
    profile.block { enabled = false }
    profile.mutex { enabled = false }
    profile.goroutine { enabled = false }
    profile.process_cpu { enabled = false }
  }`
  return `pyroscope.scrape "a" {
  targets         = [${[target('first'), ...(opts.second ? [target('second')] : [])].join(', ')}]
  forward_to      = [pyroscope.write.sink.receiver]
  scrape_interval = "2s"
  ${profiling}
}
${opts.extra ? `pyroscope.scrape "extra" {
  targets         = [${target('extra')}]
  forward_to      = [pyroscope.write.sink.receiver]
  scrape_interval = "2s"
  ${profiling}
}
` : ''}
pyroscope.write "sink" {
  endpoint {
    url = "${receiverUrl}"
  }
}
`
}

describe('config reload', () => {
  let target: RecordingServer
  let receiver: RecordingReceiver
  let dir: { path: string; remove(): Promise<void> }
  let agent: RunningProcess
  const served = new Map<string, number>()
  const requestsTo = (prefix: string): number => target.requests.filter((r) => r.url.startsWith(`/${prefix}/`)).length
  const profilesOf = (service: string): number => receiver.received.filter((s) => s.labels['service_name'] === service).length

  before(async () => {
    target = await startRecordingServer({
      handler: (req, res) => {
        const prefix = (req.url ?? '').split('/')[1] ?? ''
        const n = (served.get(prefix) ?? 0) + 1
        served.set(prefix, n)
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(heapProfile(n * 10))
      }
    })
    receiver = await startRecordingReceiver()
    dir = await tempDir('shardscope-reload-')
  })
  after(async () => {
    await agent?.stop()
    await target?.close()
    await receiver?.close()
    await dir?.remove()
  })

  it('applies a changed config on SIGHUP and POST /-/reload, refuses a bad one, and keeps running', { timeout: 90_000 }, async () => {
    const path = join(dir.path, 'agent.alloy')
    const v1 = config(target.port, receiver.url, { second: false, extra: false })
    await writeFile(path, v1)
    agent = startShardscope(['run', path, '--log.format=json', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${join(dir.path, 'data')}`])
    const base = `http://${(await agent.waitForOutput(/"address":"(127\.0\.0\.1:\d+)"[^\n]*"msg":"debug server listening"/))[1]}`
    const hashOf = (text: string) => createHash('sha256').update(text).digest('hex')
    assert.equal(await metricValue(base, 'shardscope_config_last_load_successful'), 1)
    assert.equal(await metricValue(base, 'shardscope_config_hash', { sha256: hashOf(v1) }), 1)
    await waitFor(() => profilesOf('first') >= 1, { timeoutMs: 15_000, what: 'a first delta of the first target' })

    // A valid change by SIGHUP: a second target in `a`, a new component `extra`.
    const v2 = config(target.port, receiver.url, { second: true, extra: true })
    await writeFile(path, v2)
    const firstBefore = requestsTo('first')
    agent.child.kill('SIGHUP')
    await agent.waitForOutput(/"msg":"config reloaded"/)
    assert.match(agent.output(), /"reason":"SIGHUP"[^\n]*"added":"pyroscope.scrape.extra"[^\n]*"updated":"pyroscope.scrape.a"/)
    await waitFor(() => profilesOf('second') >= 1 && profilesOf('extra') >= 1, { timeoutMs: 15_000, what: 'profiles of the new target and component' })
    // The unchanged target's loop kept its baseline: one profile for every scrape but the very first.
    await waitFor(() => requestsTo('first') >= firstBefore + 2 && profilesOf('first') === requestsTo('first') - 1, {
      timeoutMs: 15_000,
      what: `first: ${profilesOf('first')} profiles for ${requestsTo('first')} scrapes`
    })
    assert.equal(await metricValue(base, 'shardscope_config_hash', { sha256: hashOf(v2) }), 1)
    assert.equal(await metricValue(base, 'shardscope_config_hash', { sha256: hashOf(v1) }), 0)
    const loadedAt = await metricValue(base, 'shardscope_config_last_load_success_timestamp_seconds')
    assert.ok(Math.abs(loadedAt - Date.now() / 1000) < 60, `success timestamp ${loadedAt}`)

    // A bad file: refused with positioned errors, the running config stays.
    await writeFile(path, v2.replace('scrape_interval = "2s"', 'scrape_interval = "2s"\n  bogus           = 1'))
    const refused = await httpRequest(`${base}/-/reload`, { method: 'POST' })
    const body = refused.text()
    assert.equal(refused.status, 400)
    assert.match(body, /agent\.alloy:\d+:\d+: /)
    assert.match(body, /agent\.alloy:5:3: .*bogus/)
    assert.equal(await metricValue(base, 'shardscope_config_last_load_successful'), 0)
    assert.equal(await metricValue(base, 'shardscope_config_hash', { sha256: hashOf(v2) }), 1, 'the running config is still v2')
    agent.child.kill('SIGHUP')
    await agent.waitForOutput(/"reason":"SIGHUP"[^\n]*"msg":"config reload failed; the running config stays"/)
    const scraped = requestsTo('extra')
    await waitFor(() => requestsTo('extra') >= scraped + 2, { timeoutMs: 10_000, what: 'scrapes go on after refused reloads' })
    assert.equal(agent.child.exitCode, null)

    // Back to v1 over HTTP: the extra component and target go away.
    await writeFile(path, v1)
    const ok = await httpRequest(`${base}/-/reload`, { method: 'POST' })
    assert.equal(ok.status, 200)
    assert.match(ok.text(), /0 added, 1 removed, 1 updated, 1 unchanged/)
    const components = (await httpRequest(`${base}/api/v1/components`)).json<{ id: string }[]>()
    assert.deepEqual(components.map((c) => c.id).sort(), ['pyroscope.scrape.a', 'pyroscope.write.sink'])
    const extraAfter = requestsTo('extra')
    const firstNow = requestsTo('first')
    await waitFor(() => requestsTo('first') >= firstNow + 2, { timeoutMs: 10_000, what: 'the first target still scraped' })
    assert.ok(requestsTo('extra') <= extraAfter + 1, 'the removed component stopped (at most one scrape in flight)')
    assert.equal((await httpRequest(`${base}/-/reload`)).status, 405)
    assert.equal(await agent.stop('SIGTERM'), 0)
  })
})
