/**
 * A real `shardscope run` started with the non-cluster flags of Alloy's Helm chart (its `_agent.yaml`), a
 * UI path prefix and a folder config with a `logging` block: it starts, logs each Alloy-only flag once as
 * having no effect, honours the logging block's level, and serves the UI under the prefix.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../helpers/free-port.js'
import { httpRequest } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'

describe('run with Alloy Helm flags', () => {
  let dir: string
  let agent: RunningProcess
  let base: string
  let receivePort: number

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alloy-run-flags-'))
    receivePort = await freePort()
    await writeFile(join(dir, '00-logging.alloy'), 'logging {\n  level  = "debug"\n  format = "json"\n}\n')
    await writeFile(join(dir, '10-receive.alloy'), `pyroscope.receive_http "r" {\n  http {\n    listen_address = "127.0.0.1"\n    listen_port    = ${receivePort}\n  }\n  storage_path = "${join(dir, 'store')}"\n}\n`)
    agent = startShardscope([
      'run',
      dir,
      `--storage.path=${join(dir, 'data')}`,
      '--server.http.listen-addr=127.0.0.1:0',
      '--server.http.ui-path-prefix=/alloy',
      '--disable-reporting',
      '--stability.level=generally-available',
      '--cluster.enabled=false'
    ])
    const listening = await agent.waitForOutput(/"address":"127\.0\.0\.1:(\d+)","msg":"debug server listening"/)
    base = `http://127.0.0.1:${listening[1] ?? ''}`
    await agent.waitForOutput(/"msg":"starting"/)
    // "starting" comes before the components run: the receiver says when it listens.
    await agent.waitForOutput(/"msg":"receiving profiles/)
  })

  after(async () => {
    await agent.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('logs each Alloy-only flag once, as JSON at the level of the logging block', async () => {
    // A refused push is logged at debug.
    const res = await httpRequest(`http://127.0.0.1:${receivePort}/ingest?name=a.cpu&format=jfr`, { method: 'POST', body: 'x' })
    assert.equal(res.status, 415)
    await agent.waitForOutput(/"level":"debug".*"msg":"push request refused"/)
    const lines = agent.output().split('\n').filter((l) => l.startsWith('{'))
    const parsed = lines.map((l) => JSON.parse(l) as { level: string; msg: string })
    assert.equal(parsed.filter((l) => l.msg.startsWith('--disable-reporting=true accepted')).length, 1)
    assert.equal(parsed.filter((l) => l.msg.startsWith('--stability.level=generally-available accepted')).length, 1)
    assert.ok(parsed.some((l) => l.level === 'debug'), 'debug lines are written (level from the logging block)')
  })

  it('serves the UI under the prefix, redirects the root there, and keeps the API at the root', async () => {
    const root = await httpRequest(`${base}/`)
    assert.equal(root.status, 302)
    assert.equal(root.headers['location'], '/alloy/')
    const page = await httpRequest(`${base}/alloy/components`)
    assert.equal(page.status, 200)
    assert.match(page.text(), /href="\/alloy\/components"/)
    assert.match(page.text(), /pyroscope\.receive_http\.r/)
    const api = await httpRequest(`${base}/-/ready`)
    assert.equal(api.status, 200)
  })
})
