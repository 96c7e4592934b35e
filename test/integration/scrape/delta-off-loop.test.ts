/**
 * A large cumulative (memory) profile scraped by the real pyroscope.scrape → pyroscope.write pipeline in
 * this process, pushed to a real `shardscope receive`: the event loop is never held while each profile is
 * decoded and deltaed (docs/hostile-input.md, "Work off the event loop"), and every delta that arrives is
 * what an independent oracle computes from the two snapshots.
 *
 * How long the loop is held is measured over each scrape's processing (one window per deltaed snapshot)
 * as the main thread's CPU time between turns of a 1 ms timer (helpers/loop-hold.ts), and reported next to
 * the wall-clock delay of monitorEventLoopDelay, which on a machine shared with other work also counts
 * time the process was given no CPU. On the event loop, one of these profiles takes hundreds of
 * milliseconds to decode and delta, in every window.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import { startAgent } from '../../helpers/agent.js'
import { profilingOnly } from '../../helpers/config.js'
import { deltaIndices, expectedDelta, readSamples } from '../../helpers/delta-oracle.js'
import { listenOnLoopback } from '../../helpers/free-port.js'
import { heapSnapshots } from '../../helpers/heap-profiles.js'
import { watchLoopHolds } from '../../helpers/loop-hold.js'
import { startShardscope } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait-for.js'

const SNAPSHOTS = 6
/** "Never more than a few ms", with room for a slow machine. */
const MAX_HOLD_MS = 20

describe('client-side delta of a large memory profile', () => {
  it('keeps the event loop free while each profile is decoded and deltaed, and sends the oracle’s deltas', { timeout: 120_000 }, async (t) => {
    // Only the gzipped bodies are kept: the decoded snapshots would weigh on this process's heap (and
    // its garbage collector's pauses) while the loop is measured.
    const raws = heapSnapshots({ samples: 30_000, depth: 16, snapshots: SNAPSHOTS }).map((p) => p.encode())
    assert.ok((raws[0]?.length ?? 0) > 1024 * 1024, `a large profile: ${raws[0]?.length} bytes inflated`)
    const bodies = raws.map((raw) => gzipSync(raw))
    raws.length = 0

    // One window of loop delay per deltaed snapshot: from serving it to the next request, which the scrape
    // loop sends only once it has handled the last one. The baseline's window (worker start-up) is left out.
    const histogram = monitorEventLoopDelay({ resolution: 1 })
    const holds = watchLoopHolds()
    t.after(() => holds.stop())
    const windows: { holdMs: number; delayMs: number }[] = []
    const closeWindow = (): void => {
      windows.push({ holdMs: holds.takeMaxMs(), delayMs: histogram.max / 1e6 })
      histogram.reset()
    }
    let served = 0
    const target = await listenOnLoopback(
      createServer((_req, res) => {
        if (served >= 2 && served <= SNAPSHOTS) closeWindow()
        else {
          holds.takeMaxMs()
          histogram.reset()
        }
        const body = bodies[served]
        served++
        if (body === undefined) res.writeHead(404).end('no more snapshots')
        else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body)
      })
    )
    t.after(() => target.close())

    const dir = await mkdtemp(join(tmpdir(), 'shardscope-delta-off-loop-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const receiver = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', dir])
    t.after(() => receiver.stop('SIGKILL'))
    const receivePort = Number((await receiver.waitForOutput(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1])

    histogram.enable()
    t.after(() => histogram.disable())
    const agent = await startAgent(`
pyroscope.write "out" {
  endpoint {
    url = "http://127.0.0.1:${receivePort}"
  }
}
pyroscope.scrape "big" {
  targets         = [{"__address__" = "127.0.0.1:${target.port}", "service_name" = "big"}]
  forward_to      = [pyroscope.write.out.receiver]
  scrape_interval = "1s"
${profilingOnly('memory')}
}
`)
    t.after(() => agent.stop())

    const stored = await waitFor(async () => {
      const entries = await readIndex(dir).catch(() => [])
      return entries.length >= SNAPSHOTS - 1 ? entries : undefined
    }, { timeoutMs: 90_000, what: `${SNAPSHOTS - 1} deltas stored (${served} snapshots served)` })
    // The last snapshot's window ends with its delta stored, unless the next request closed it already.
    if (windows.length < SNAPSHOTS - 1) closeWindow()
    histogram.disable()
    holds.stop()

    const shown = windows.map((w) => `${w.holdMs.toFixed(1)} (delay ${w.delayMs.toFixed(1)})`).join(', ')
    const what = `longest hold of the event loop per scrape, ms of ${holds.cpuTime ? 'main-thread CPU' : 'wall clock'}: ${shown}`
    t.diagnostic(what)
    assert.equal(windows.length, SNAPSHOTS - 1, what)
    assert.ok(Math.max(...windows.map((w) => w.holdMs)) < MAX_HOLD_MS, what)

    // Every delta as the oracle says, matched to its snapshot by time.
    const snapshots = bodies.map((body) => Profile.decode(gunzipSync(body)))
    const readings = snapshots.map(readSamples)
    const byTime = new Map(snapshots.map((p, i) => [BigInt(p.timeNanos), i]))
    const indices = deltaIndices(snapshots[0] as Profile, ['alloc_objects', 'alloc_space'])
    const seen: number[] = []
    for (const entry of stored.slice(0, SNAPSHOTS - 1)) {
      assert.equal(entry.labels['__name__'], 'memory')
      const delta = Profile.decode(gunzipSync(await readFile(join(dir, entry.file))))
      const k = byTime.get(BigInt(delta.timeNanos)) ?? -1
      assert.ok(k >= 1, `a delta of a later snapshot (time ${delta.timeNanos})`)
      seen.push(k)
      const expected = expectedDelta(readings[k - 1] ?? new Map(), readings[k] ?? new Map(), indices)
      assert.deepEqual(readSamples(delta), expected, `the delta of snapshot ${k}`)
      assert.equal(BigInt(delta.durationNanos), 10_000_000_000n, 'the time between the two snapshots')
    }
    assert.deepEqual(seen, Array.from({ length: SNAPSHOTS - 1 }, (_, i) => i + 1))
  })
})
