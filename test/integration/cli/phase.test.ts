/**
 * Scrape phases (design 4.4) are a pure function of the target and the interval: two separate processes,
 * started at different times, give every target the same phase, and 500 targets spread over the interval.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'

const TARGETS = 500
const INTERVAL_MS = 15_000

describe('scrape phase across processes', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardscope-phase-'))
    const list = Array.from({ length: TARGETS }, (_, i) => `{"__address__" = "10.1.${Math.floor(i / 200)}.${i % 200}:6060", "service_name" = "svc-${i}"},`)
    await writeFile(
      join(dir, 'many.alloy'),
      `pyroscope.scrape "many" {\n  targets = [\n${list.join('\n')}\n  ]\n  forward_to = []\n  profiling_config {\n    profile.process_cpu {\n      enabled = false\n    }\n  }\n}\n`
    )
  })
  after(() => rm(dir, { recursive: true, force: true }))

  async function phases(): Promise<Map<string, number>> {
    const r = await runCli(['targets', '--format', 'json', join(dir, 'many.alloy')])
    assert.equal(r.code, 0, r.stderr)
    const rows = JSON.parse(r.stdout) as { url: string; phase_ms: number }[]
    return new Map(rows.map((row) => [row.url, row.phase_ms]))
  }

  it('is identical in two processes and spread over the interval', async () => {
    const first = await phases()
    const second = await phases() // another process, started later: same phases
    assert.equal(first.size, TARGETS * 4)
    assert.deepEqual([...second], [...first])

    // One phase per target (its four types share it); each tenth of the interval holds 5–15 % of them.
    const perTarget = new Map<string, number>()
    for (const [url, phase] of first) {
      assert.ok(phase >= 0 && phase < INTERVAL_MS, `${url}: ${phase}`)
      perTarget.set(new URL(url).host, phase)
    }
    assert.equal(perTarget.size, TARGETS)
    const buckets = new Array<number>(10).fill(0)
    for (const phase of perTarget.values()) buckets[Math.floor((phase / INTERVAL_MS) * 10)]! += 1
    for (const count of buckets) assert.ok(count >= TARGETS * 0.05 && count <= TARGETS * 0.15, `buckets ${buckets.join(',')}`)
  })
})
