/**
 * The whole loop in one process with real parts: pyroscope.scrape scrapes the real Go pprof target (all five
 * default types, the CPU one as `profile?seconds=2` for a 3 s interval), pyroscope.write pushes over
 * Pyroscope's push API to pyroscope.receive_http, which stores each profile. The stored bodies decode and
 * their labels are exact; cumulative types arrive as deltas after their baseline scrape.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import type { IndexEntry } from '../../../src/components/pyroscope/receive_http/index.js'
import type { ScrapeDebugInfo } from '../../../src/components/pyroscope/scrape/component.js'
import { startAgent } from '../../helpers/agent.js'
import type { InProcessAgent } from '../../helpers/agent.js'
import { freePort } from '../../helpers/free-port.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'
import { waitFor } from '../../helpers/wait-for.js'
import { packageVersion } from '../../../src/http/user-agent.js'

const TYPES = ['memory', 'block', 'goroutine', 'mutex', 'process_cpu']

describe('Go target → pyroscope.scrape → pyroscope.write → pyroscope.receive_http', () => {
  let target: GoTarget
  let agent: InProcessAgent | undefined
  let dir = ''

  before(async () => {
    target = await startGoTarget({ service: 'pipeline' })
    dir = await mkdtemp(join(tmpdir(), 'shardscope-pipeline-'))
  })
  after(async () => {
    await agent?.stop()
    await target?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('scrapes the five default types at the expected URLs and stores each profile with exact labels', async () => {
    const port = await freePort()
    agent = await startAgent(`
pyroscope.scrape "go" {
  targets         = [{"__address__" = "${target.address}", "service_name" = "pipeline", "team" = "infra"}]
  forward_to      = [pyroscope.write.local.receiver]
  scrape_interval = "3s"
}
pyroscope.write "local" {
  endpoint {
    url = "http://127.0.0.1:${port}"
  }
  external_labels = {"env" = "test"}
}
pyroscope.receive_http "local" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  storage_path = ${JSON.stringify(dir)}
}
`)
    const debug = agent.debug<ScrapeDebugInfo>('pyroscope.scrape.go')
    assert.deepEqual(
      debug.targets.map((t) => t.url).sort(),
      [
        `http://${target.address}/debug/pprof/allocs`,
        `http://${target.address}/debug/pprof/block`,
        `http://${target.address}/debug/pprof/goroutine`,
        `http://${target.address}/debug/pprof/mutex`,
        `http://${target.address}/debug/pprof/profile?seconds=2`
      ]
    )

    const entries = await waitFor(
      async () => {
        const all = await readIndex(dir).catch(() => [] as IndexEntry[])
        const types = new Set(all.map((e) => e.labels['__name__']))
        return TYPES.every((t) => types.has(t)) ? all : undefined
      },
      { timeoutMs: 30_000, what: 'a stored profile of every default type' }
    )

    for (const type of TYPES) {
      const entry = entries.find((e) => e.labels['__name__'] === type)
      assert.ok(entry, type)
      const cumulative = type === 'memory' || type === 'block' || type === 'mutex'
      assert.deepEqual(entry.labels, {
        ...(cumulative ? { __delta__: 'false' } : {}),
        __name__: type,
        // receive_http copies __name__ to app_name when service_name is set (Alloy's ensureServiceName).
        app_name: type,
        env: 'test',
        instance: target.address,
        job: 'pyroscope.scrape.go',
        'otel.scope.name': 'shardscope/pyroscope.scrape',
        'otel.scope.version': packageVersion(),
        service_name: 'pipeline',
        team: 'infra'
      })
      const raw = await readFile(join(dir, entry.file))
      assert.equal(raw.length, entry.bytes)
      const profile = Profile.decode(raw[0] === 0x1f ? gunzipSync(raw) : raw)
      assert.ok(profile.sampleType.length > 0, `${type} has sample types`)
    }
    const statuses = agent.debug<ScrapeDebugInfo>('pyroscope.scrape.go').targets
    for (const s of statuses) {
      assert.equal(s.health, 'up', `${s.profile_type}: ${s.last_error}`)
      assert.ok(s.last_success)
    }
  })
})
