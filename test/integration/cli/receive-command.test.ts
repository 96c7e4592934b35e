/**
 * `shardscope receive` as a real process: --log.level/--log.format, /-/healthy, /-/ready and /metrics on
 * the push port, a periodic summary of what it stored, one process per --dir, and a port in use named as
 * the flag to change.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodePushRequest, PUSH_PATH } from '../../../src/components/pyroscope/write/index.js'
import { runCli } from '../../helpers/cli.js'
import { httpRequest } from '../../helpers/http.js'
import { metricValue } from '../../helpers/metrics.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { tinyProfile } from '../../helpers/receiver.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

describe('shardscope receive', () => {
  let dir: { path: string; remove(): Promise<void> }
  let receiver: RunningProcess
  let base: string

  before(async () => {
    dir = await tempDir('shardscope-receive-cmd-')
    receiver = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', join(dir.path, 'received'), '--log.format=json', '--log.summary-interval=1s'])
    base = (await receiver.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] ?? ''
  })
  after(async () => {
    await receiver?.stop()
    await dir?.remove()
  })

  it('serves health, readiness and metrics, and logs a summary of what it stored', { timeout: 30_000 }, async () => {
    assert.equal((await httpRequest(`${base}/-/healthy`)).status, 200)
    assert.equal((await httpRequest(`${base}/-/ready`)).status, 200)
    const body = encodePushRequest([{ labels: [['__name__', 'process_cpu'], ['service_name', 'checkout']], samples: [{ raw: tinyProfile() }] }])
    const pushed = await httpRequest(`${base}${PUSH_PATH}`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body })
    assert.equal(pushed.status, 200)
    await receiver.waitForOutput(/"stored":1,[^\n]*"services":1[^\n]*"msg":"stored 1 profiles in the last 1s \(1 since start\)"/, 10_000)
    assert.equal(await metricValue(base, 'shardscope_receive_profiles_stored_total'), 1)
    assert.equal(await metricValue(base, 'shardscope_receive_stored_bytes_total'), tinyProfile().length)
    assert.equal(await metricValue(base, 'shardscope_build_info'), 1)
    const index = await readFile(join(dir.path, 'received', 'index.jsonl'), 'utf8')
    assert.match(index, /"service_name":"checkout"/)
  })

  it('refuses a second receiver on the same --dir, naming the folder and the other pid', async () => {
    const second = await runCli(['receive', '--listen', '127.0.0.1:0', '--dir', join(dir.path, 'received')])
    assert.equal(second.code, 1)
    assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr)
    assert.match(second.stderr, new RegExp(`received is in use by another shardscope process \\(pid ${receiver.child.pid}\\); give each process its own --dir`))
  })

  it('names the flag when its port is taken, in one line', async () => {
    const port = new URL(base).port
    const taken = await runCli(['receive', '--listen', `127.0.0.1:${port}`, '--dir', join(dir.path, 'other')])
    assert.equal(taken.code, 1)
    assert.equal(taken.stderr, `error: cannot listen on 127.0.0.1:${port}: address already in use (choose another address with --listen)\n`)
  })

  it('takes --log.level: at warn, the info lines are gone', async () => {
    const quiet = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', join(dir.path, 'quiet'), '--log.level=warn'])
    try {
      await waitFor(async () => (await readFile(join(dir.path, 'quiet', 'shardscope.lock'), 'utf8').catch(() => '')).trim() === String(quiet.child.pid), { timeoutMs: 10_000, what: 'the quiet receiver holds its lock' })
    } finally {
      assert.equal(await quiet.stop('SIGTERM'), 0)
    }
    assert.doesNotMatch(quiet.output(), /listening on/)
    const bad = await runCli(['receive', '--log.level=loud'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^error: --log\.level must be one of debug, info, warn, error, got loud\n$/)
  })
})
