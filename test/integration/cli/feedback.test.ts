/**
 * What `shardscope run` says at info level while it works, as a real process: a target's first success,
 * a target that fails, and the periodic summary with targets up and profiles sent per endpoint URL; and the
 * metrics an operator reads beside it (build info, bytes sent per endpoint URL).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { closedPort } from '../../helpers/free-port.js'
import { metricValue } from '../../helpers/metrics.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { startRecordingReceiver, tinyProfile } from '../../helpers/receiver.js'
import type { RecordingReceiver } from '../../helpers/receiver.js'
import { startRecordingServer } from '../../helpers/recording-server.js'
import type { RecordingServer } from '../../helpers/recording-server.js'
import { tempDir } from '../../helpers/spawn-node.js'

describe('run: feedback at info level', () => {
  let target: RecordingServer
  let receiver: RecordingReceiver
  let dir: { path: string; remove(): Promise<void> }
  let agent: RunningProcess
  let deadPort: number

  before(async () => {
    target = await startRecordingServer({ handler: (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tinyProfile()) })
    receiver = await startRecordingReceiver()
    dir = await tempDir('shardscope-feedback-')
    deadPort = await closedPort()
    const config = join(dir.path, 'agent.alloy')
    await writeFile(
      config,
      `pyroscope.scrape "s" {
  targets = [
    {"__address__" = "127.0.0.1:${target.port}", "service_name" = "good"},
    {"__address__" = "127.0.0.1:${deadPort}", "service_name" = "gone"},
  ]
  forward_to      = [pyroscope.write.w.receiver]
  scrape_interval = "1s"
  scrape_timeout  = "1s"
  profiling_config {
    profile.memory { enabled = false }
    profile.block { enabled = false }
    profile.mutex { enabled = false }
    profile.process_cpu { enabled = false }
  }
}
pyroscope.write "w" {
  endpoint {
    url = "${receiver.url}"
  }
}
`
    )
    agent = startShardscope(['run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${join(dir.path, 'data')}`, '--log.summary-interval=2s'])
  })
  after(async () => {
    await agent?.stop()
    await target?.close()
    await receiver?.close()
    await dir?.remove()
  })

  it('logs the first success, the failing target with its error, and a summary line', { timeout: 30_000 }, async () => {
    await agent.waitForOutput(new RegExp(`url=http://127\\.0\\.0\\.1:${target.port}/debug/pprof/goroutine msg="target up: first successful scrape"`))
    await agent.waitForOutput(new RegExp(`url=http://127\\.0\\.0\\.1:${deadPort}/debug/pprof/goroutine error="[^"]+" msg="target down: first scrape failed"`))
    const summary = await agent.waitForOutput(new RegExp(`msg="summary: 1 of 2 targets up; ${receiver.url.replace(/\./g, '\\.')} sent (\\d+) dropped 0 \\(last 2s\\)"`))
    assert.ok(Number(summary[1]) >= 1, summary[0])
    // Nothing repeats while nothing changes.
    assert.equal(agent.output().match(/target up: first successful scrape/g)?.length, 1)
  })

  it('exposes build info and bytes sent per endpoint URL', async () => {
    const base = `http://${(await agent.waitForOutput(/address=(127\.0\.0\.1:\d+) msg="debug server listening"/))[1]}`
    assert.equal(await metricValue(base, 'shardscope_build_info', { version: '0.1.0', nodeversion: process.version }), 1)
    assert.ok((await metricValue(base, 'pyroscope_write_sent_bytes_total', { endpoint: receiver.url })) > 0)
    assert.ok((await metricValue(base, 'pyroscope_write_sent_profiles_total', { endpoint: receiver.url })) > 0)
  })
})
