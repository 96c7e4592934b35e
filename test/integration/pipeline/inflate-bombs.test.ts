/**
 * Gzip bombs that stay just under the inflation cap (a 31 KB body may inflate to 32 MiB: twice its
 * decoding budget), pushed (and sent to /ingest) to a real `shardscope receive` and scraped by a real
 * `shardscope run`: each is
 * refused with the budget's reason once what came out of the inflate passes the budget, and the reason says
 * how many bytes came out (docs/hostile-input.md, "Profile budget"). That figure is the work and memory the
 * body cost: at most about half a megabyte, where inflating to the cap first cost 32 MB.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { FormData } from 'undici'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import { freePort, listenOnLoopback } from '../../helpers/free-port.js'
import { pushOf, sampleBomb } from '../../helpers/hostile-bodies.js'
import { httpRequest } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait-for.js'

/** gzip(12 00 × 16,000,000): 32,000,000 bytes of empty samples, just under the 32 MiB cap of its size. */
const SAMPLE_BOMB = sampleBomb(16_000_000)
/** gzip of 32,000,000 zero bytes: field 0, which no Profile has. */
const ZERO_BOMB = gzipSync(Buffer.alloc(32_000_000), { level: 9 })
const INFLATED = 32_000_000
/** What may come out before a refusal: the budget's point plus a piece of the inflate, with room. */
const MAX_INFLATED_BEFORE_REFUSAL = 1024 * 1024

const BOMBS: [string, Buffer, RegExp][] = [
  ['the sample bomb', SAMPLE_BOMB, /profile exceeds the decoding budget: at least \d+ samples .*; inflating stopped after (\d+) bytes$/],
  ['the zero bomb', ZERO_BOMB, /invalid pprof profile: unknown field 0 \(wire type 0\) at offset 0; inflating stopped after (\d+) bytes$/]
]

function inflatedBefore(reason: string, pattern: RegExp, name: string): number {
  const match = pattern.exec(reason)
  assert.ok(match, `${name}: ${reason}`)
  return Number(match[1])
}

describe('gzip bombs just under the inflation cap', () => {
  it('shardscope receive refuses each, pushed or sent to /ingest, after inflating a small part of it, and stores nothing', { timeout: 60_000 }, async (t) => {
    assert.ok(SAMPLE_BOMB.length < 40_000 && ZERO_BOMB.length < 40_000, `${SAMPLE_BOMB.length} and ${ZERO_BOMB.length} bytes on the wire`)
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-inflate-bombs-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const receiver = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', dir])
    t.after(() => receiver.stop('SIGKILL'))
    const port = Number((await receiver.waitForOutput(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1])
    for (const [name, bomb, pattern] of BOMBS) {
      const res = await httpRequest(`http://127.0.0.1:${port}/push.v1.PusherService/Push`, {
        method: 'POST',
        headers: { 'content-type': 'application/proto' },
        body: pushOf([bomb])
      })
      const answer = res.json<{ code: string; message: string }>()
      assert.equal(res.status, 400, `${name}: ${JSON.stringify(answer)}`)
      assert.equal(answer.code, 'invalid_argument')
      const inflated = inflatedBefore(answer.message, pattern, name)
      assert.ok(inflated <= MAX_INFLATED_BEFORE_REFUSAL, `${name}: ${inflated} of ${INFLATED} bytes inflated before the refusal`)
    }
    // The legacy /ingest API: the pprof body as it is, and as the profile part of a Go SDK form.
    for (const [name, bomb, pattern] of BOMBS) {
      const form = new FormData()
      form.append('profile', new Blob([bomb]), 'profile.pprof')
      for (const body of [bomb, form]) {
        const res = await httpRequest(`http://127.0.0.1:${port}/ingest?name=bombs&format=pprof`, { method: 'POST', body })
        const text = res.text()
        assert.equal(res.status, 400, `${name} at /ingest: ${text}`)
        const inflated = inflatedBefore((JSON.parse(text) as { message: string }).message, pattern, `${name} at /ingest`)
        assert.ok(inflated <= MAX_INFLATED_BEFORE_REFUSAL, `${name} at /ingest: ${inflated} of ${INFLATED} bytes inflated before the refusal`)
      }
    }
    assert.equal((await httpRequest(`http://127.0.0.1:${port}/-/ready`)).status, 200)
    assert.deepEqual(await readIndex(dir).catch(() => []), [])
    assert.equal(receiver.child.exitCode, null, receiver.output())
  })

  it('shardscope run marks a target serving each bomb down, saying how far inflation went', { timeout: 60_000 }, async (t) => {
    const target = await listenOnLoopback(
      createServer((req, res) => {
        const bomb = req.url === '/debug/pprof/zeros' ? ZERO_BOMB : SAMPLE_BOMB
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bomb)
      })
    )
    t.after(() => target.close())
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-inflate-bombs-run-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const disabled = ['memory', 'block', 'goroutine', 'mutex', 'process_cpu'].map((p) => `    profile.${p} {\n      enabled = false\n    }`).join('\n')
    await writeFile(
      join(dir, 'agent.alloy'),
      `pyroscope.scrape "bombs" {
  targets         = [{"__address__" = "127.0.0.1:${target.port}", "service_name" = "bombs"}]
  forward_to      = []
  scrape_interval = "1s"
  profiling_config {
${disabled}
    profile.custom "samples" {
      path    = "/debug/pprof/samples"
      enabled = true
    }
    profile.custom "zeros" {
      path    = "/debug/pprof/zeros"
      enabled = true
    }
  }
}
`
    )
    const apiPort = await freePort()
    const agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', `127.0.0.1:${apiPort}`, '--storage.path', join(dir, 'data')])
    t.after(() => agent.stop('SIGKILL'))
    const down = await waitFor(
      async () => {
        const res = await httpRequest(`http://127.0.0.1:${apiPort}/api/v1/targets?health=down`)
        if (res.status !== 200) return undefined
        const rows = res.json<{ targets: { url: string; last_error: string }[] }>().targets
        return rows.length === 2 && rows.every((row) => row.last_error !== '') ? rows : undefined
      },
      { timeoutMs: 30_000, what: `both bomb targets down\n${agent.output().slice(-2000)}` }
    )
    for (const [name, , pattern] of BOMBS) {
      const row = down.find((r) => r.url.endsWith(name === 'the zero bomb' ? '/debug/pprof/zeros' : '/debug/pprof/samples'))
      assert.ok(row, `${name}: ${JSON.stringify(down)}`)
      assert.match(row.last_error, /^invalid profile data: /)
      const inflated = inflatedBefore(row.last_error, pattern, name)
      assert.ok(inflated <= MAX_INFLATED_BEFORE_REFUSAL, `${name}: ${inflated} of ${INFLATED} bytes inflated before the refusal`)
    }
    assert.equal(agent.child.exitCode, null, agent.output().slice(-2000))
  })
})
