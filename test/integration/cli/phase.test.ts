/**
 * Scrape phases (docs/scrape-timing.md) are a pure function of the target and the interval. `targets --format json`
 * prints each target's phase; 500 targets spread over the interval; and two agent processes started at
 * different times really scrape each target at that phase (checked at the target, by arrival time).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'
import { profilingOnly } from '../../helpers/config.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { startScrapeLogServer } from '../../helpers/scrape-log-server.js'
import type { ScrapeLogServer } from '../../helpers/scrape-log-server.js'
import { waitFor } from '../../helpers/wait-for.js'

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

describe('scrape phase of running agents', () => {
  const INTERVAL = 2_000
  let dir = ''
  let targets: ScrapeLogServer
  const agents: RunningProcess[] = []
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardscope-phase-run-'))
    targets = await startScrapeLogServer(4)
    await writeFile(
      join(dir, 'agent.alloy'),
      `pyroscope.scrape "p" {\n  targets = ${targets.targetsLiteral()}\n  forward_to      = []\n  scrape_interval = "2s"\n  params          = {"node" = [sys.env("SHARDSCOPE_TEST_NODE")]}\n${profilingOnly('goroutine')}\n}\n`
    )
  })
  after(async () => {
    for (const a of agents) await a.stop()
    await targets.close()
    await rm(dir, { recursive: true, force: true })
  })

  function startAgent(name: string): RunningProcess {
    const agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', '127.0.0.1:0', '--storage.path', join(dir, name)], {
      env: { ...process.env, SHARDSCOPE_TEST_NODE: name }
    })
    agents.push(agent)
    return agent
  }

  it('scrapes each target at its printed phase, whenever the agent started', { timeout: 60_000 }, async () => {
    const printed = await runCli(['targets', '--format', 'json', join(dir, 'agent.alloy')])
    assert.equal(printed.code, 0, printed.stderr)
    const phaseByTarget = new Map(
      (JSON.parse(printed.stdout) as { url: string; phase_ms: number }[]).map((row) => [new URL(row.url).pathname.split('/')[1] ?? '', row.phase_ms])
    )
    assert.equal(phaseByTarget.size, 4)
    const enough = (node: string) => targets.targets.every((t) => targets.requests.filter((r) => r.node === node && r.target === t).length >= 2)

    startAgent('first')
    await waitFor(() => enough('first'), { timeoutMs: 20_000, what: 'two scrapes of every target by the first agent' })
    // The second agent starts seconds later, at another offset within the interval: its phases must be the same.
    startAgent('second')
    await waitFor(() => enough('second'), { timeoutMs: 20_000, what: 'two scrapes of every target by the second agent' })

    for (const r of targets.requests) {
      const phase = phaseByTarget.get(r.target)
      assert.ok(phase !== undefined, r.target)
      // Arrival = scrape point + a small start delay: within 500 ms after the phase point, never before it.
      const offset = (((r.at - phase) % INTERVAL) + INTERVAL) % INTERVAL
      assert.ok(offset < 500, `${r.node} scraped ${r.target} ${offset} ms after its phase point`)
    }
  })
})

