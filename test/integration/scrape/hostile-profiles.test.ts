/**
 * `shardscope run` as a real process scraping a target whose five custom profile types all serve the sample
 * bomb `gzip(12 00 × 4,000,000)` (3.9 KB), next to a healthy target, at the default heap and with
 * --max-old-space-size=256: the bomb target is down with the budget's reason, the agent stays up and
 * ready within 1 s, and the healthy target misses no scrape.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { samplePprof } from '../../helpers/bad-targets.js'
import { freePort, listenOnLoopback } from '../../helpers/free-port.js'
import { httpRequest } from '../../helpers/http.js'
import { sampleBomb } from '../../helpers/hostile-bodies.js'
import { startShardscope } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait-for.js'

const INTERVAL_MS = 1_000
const WATCH_MS = 8_000
const BOMB_TYPES = ['b1', 'b2', 'b3', 'b4', 'b5']

async function serve(t: import('node:test').TestContext, handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server: Server = createServer(handler)
  const listening = await listenOnLoopback(server)
  t.after(() => listening.close())
  return listening.port
}

for (const [heap, nodeOptions] of [['the default heap', undefined], ['--max-old-space-size=256', '--max-old-space-size=256']] as const) {
  describe(`scraping sample bombs at ${heap}`, () => {
    it('marks the bomb target down with the budget reason, stays ready, and the healthy target misses no scrape', { timeout: 90_000 }, async (t) => {
      const bomb = sampleBomb()
      const bombPort = await serve(t, (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bomb))
      const healthyScrapes: number[] = []
      const good = gzipSync(samplePprof())
      const healthyPort = await serve(t, (_req, res) => {
        healthyScrapes.push(Date.now())
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(good)
      })
      const dir = await mkdtemp(join(tmpdir(), 'shardscope-hostile-scrape-'))
      t.after(() => rm(dir, { recursive: true, force: true }))
      const disabled = ['memory', 'block', 'goroutine', 'mutex', 'process_cpu'].map((p) => `    profile.${p} {\n      enabled = false\n    }`).join('\n')
      const customs = BOMB_TYPES.map((name) => `    profile.custom "${name}" {\n      path    = "/debug/pprof/${name}"\n      enabled = true\n    }`).join('\n')
      await writeFile(
        join(dir, 'agent.alloy'),
        `pyroscope.scrape "bombs" {
  targets         = [{"__address__" = "127.0.0.1:${bombPort}", "service_name" = "bombs"}]
  forward_to      = []
  scrape_interval = "1s"
  profiling_config {
${disabled}
${customs}
  }
}
pyroscope.scrape "healthy" {
  targets         = [{"__address__" = "127.0.0.1:${healthyPort}", "service_name" = "healthy"}]
  forward_to      = []
  scrape_interval = "1s"
  profiling_config {
${disabled.replace('    profile.goroutine {\n      enabled = false\n    }', '    profile.goroutine {\n      enabled = true\n    }')}
  }
}
`
      )
      const port = await freePort()
      const env = nodeOptions === undefined ? process.env : { ...process.env, NODE_OPTIONS: nodeOptions }
      const agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', `127.0.0.1:${port}`, '--storage.path', join(dir, 'data')], { env })
      t.after(() => agent.stop('SIGKILL'))
      const base = `http://127.0.0.1:${port}`
      await waitFor(() => healthyScrapes.length >= 1 || undefined, { timeoutMs: 20_000, what: `a first healthy scrape\n${agent.output().slice(-2000)}` })

      // Watch for WATCH_MS: /-/ready answers within 1 s every time, the healthy target is scraped every interval.
      const watchStart = Date.now()
      let slowestReadyMs = 0
      while (Date.now() - watchStart < WATCH_MS) {
        const started = performance.now()
        const res = await httpRequest(`${base}/-/ready`, { timeoutMs: 5_000 })
        slowestReadyMs = Math.max(slowestReadyMs, performance.now() - started)
        assert.equal(res.status, 200)
        await new Promise((r) => setTimeout(r, 100))
      }
      assert.ok(slowestReadyMs < 1_000, `the slowest /-/ready answer took ${Math.round(slowestReadyMs)} ms`)
      const inWindow = healthyScrapes.filter((at) => at >= watchStart - INTERVAL_MS)
      const gaps = inWindow.slice(1).map((at, i) => at - (inWindow[i] as number))
      assert.ok(inWindow.length >= WATCH_MS / INTERVAL_MS, `${inWindow.length} healthy scrapes in ${WATCH_MS} ms`)
      assert.ok(Math.max(...gaps) < 1.5 * INTERVAL_MS, `the longest gap between healthy scrapes was ${Math.max(...gaps)} ms`)

      const body = (await httpRequest(`${base}/api/v1/targets?health=down`)).json<{ targets: { url: string; last_error: string }[] }>()
      const down = body.targets.filter((row) => row.url.includes(`:${bombPort}/`))
      assert.equal(down.length, BOMB_TYPES.length, JSON.stringify(body).slice(0, 2000))
      for (const row of down) assert.match(row.last_error, /^invalid profile data: profile exceeds the decoding budget: at least \d+ samples/)
      assert.equal(agent.child.exitCode, null, agent.output().slice(-2000))
    })
  })
}
