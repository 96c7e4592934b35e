/**
 * pyroscope.receive_http inside `shardscope run`: pushes of the bombs are refused with 400 while a
 * healthy target of the same agent misses no scrape and /-/ready answers within 1 s.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { samplePprof } from '../../helpers/bad-targets.js'
import { profilingOnly } from '../../helpers/config.js'
import { freePort, listenOnLoopback } from '../../helpers/free-port.js'
import { emptySeriesPush, pushOf, sampleBomb, validManySamples } from '../../helpers/hostile-bodies.js'
import { httpRequest, isReady } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait-for.js'

const INTERVAL_MS = 1_000

describe('pyroscope.receive_http inside shardscope run, under attack', () => {
  it('refuses the bombs while the healthy target misses no scrape', { timeout: 90_000 }, async (t) => {
    const scrapes: number[] = []
    const good = gzipSync(samplePprof())
    const listening = await listenOnLoopback(
      createServer((_req, res) => {
        scrapes.push(Date.now())
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(good)
      })
    )
    t.after(() => listening.close())
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-receive-in-run-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const receivePort = await freePort()
    const apiPort = await freePort()
    await writeFile(
      join(dir, 'agent.alloy'),
      `pyroscope.receive_http "in" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${receivePort}
  }
  storage_path = "${join(dir, 'received')}"
}
pyroscope.scrape "healthy" {
  targets         = [{"__address__" = "127.0.0.1:${listening.port}", "service_name" = "healthy"}]
  forward_to      = []
  scrape_interval = "1s"
${profilingOnly('goroutine')}
}
`
    )
    const agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', `127.0.0.1:${apiPort}`, '--storage.path', join(dir, 'data')])
    t.after(() => agent.stop('SIGKILL'))
    await waitFor(() => scrapes.length >= 2 || undefined, { timeoutMs: 20_000, what: `two healthy scrapes\n${agent.output().slice(-2000)}` })
    await waitFor(() => isReady(`http://127.0.0.1:${receivePort}`), { timeoutMs: 10_000, what: 'the receiver listening' })

    // Built before the watch: gzipping them holds this process's loop, and with it the healthy target's
    // server, whose request times are the scrape times measured.
    const bodies = [pushOf([sampleBomb()]), pushOf([sampleBomb()]), pushOf([validManySamples(), validManySamples(), validManySamples()]), emptySeriesPush()]
    const watchStart = Date.now()
    let slowestReadyMs = 0
    for (let round = 0; round < 2; round++) {
      for (const body of bodies) {
        const res = await httpRequest(`http://127.0.0.1:${receivePort}/push.v1.PusherService/Push`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body })
        assert.equal(res.status, 400, res.text())
        const started = performance.now()
        assert.equal((await httpRequest(`http://127.0.0.1:${apiPort}/-/ready`)).status, 200)
        slowestReadyMs = Math.max(slowestReadyMs, performance.now() - started)
      }
    }
    // Four more scrapes after the attack: the gaps below then cover all of it.
    const after = scrapes.length
    await waitFor(() => scrapes.length >= after + 4 || undefined, { timeoutMs: 30_000, what: 'four healthy scrapes after the attack' })
    const inWindow = scrapes.filter((at) => at >= watchStart - INTERVAL_MS)
    const gaps = inWindow.slice(1).map((at, i) => at - (inWindow[i] as number))
    assert.ok(Math.max(...gaps) < 1.5 * INTERVAL_MS, `the longest gap between healthy scrapes was ${Math.max(...gaps)} ms`)
    assert.ok(slowestReadyMs < 1_000, `the slowest /-/ready answer took ${Math.round(slowestReadyMs)} ms`)
    assert.equal(agent.child.exitCode, null)
  })
})
