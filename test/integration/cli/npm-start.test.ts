/**
 * `npm start` (the README's quick start) runs the agent on config/default.alloy. A first run is green: every
 * default target (memory, CPU, goroutine of the agent itself) is `up` after its first scrape — each starts
 * within one 15 s interval, CPU then takes its 14 s — and the embedded receiver has stored every enabled
 * type in ./data/received/index.jsonl, apart from the node's own state in ./data.
 * Uses the fixed ports of the default config (12345, 4040): no other test may use them.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from '../../helpers/cli.js'
import { httpRequest } from '../../helpers/http.js'
import { waitFor } from '../../helpers/wait-for.js'

const INDEX = join(REPO_ROOT, 'data', 'received', 'index.jsonl')
const ENABLED_TYPES = ['goroutine', 'memory', 'process_cpu']

interface StoredLine {
  time: string
  labels: Record<string, string>
}

async function storedLines(): Promise<StoredLine[]> {
  const text = await readFile(INDEX, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as StoredLine)
}

interface ApiTarget {
  profile_type: string
  health: string
  last_error: string
}

async function targets(): Promise<ApiTarget[]> {
  const res = await httpRequest('http://127.0.0.1:12345/api/v1/targets', { timeoutMs: 3_000 })
  return res.json<{ targets: ApiTarget[] }>().targets
}

describe('npm start', () => {
  it('shows every default target up and stores every enabled type', { timeout: 90_000 }, async () => {
    const before = (await storedLines()).length
    const started = new Date().toISOString()
    // Its own process group, so that npm, its shell and the agent all stop together.
    const child = spawn('npm', ['start'], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      // One 15 s interval for the first scrape of each type, the 14 s CPU capture, and start-up time.
      const up = await waitFor(
        async () => {
          const all = await targets()
          return all.length === ENABLED_TYPES.length && all.every((t) => t.health === 'up') ? all : undefined
        },
        { timeoutMs: 15_000 + 14_000 + 10_000, what: `every target up (output: ${output.slice(-1500)})` }
      )
      assert.deepEqual(up.map((t) => t.profile_type).sort(), ENABLED_TYPES)
      assert.ok(up.every((t) => t.last_error === ''))

      const fresh = await waitFor(
        async () => {
          const lines = (await storedLines()).slice(before)
          const types = new Set(lines.map((l) => l.labels['__name__']))
          return ENABLED_TYPES.every((t) => types.has(t)) ? lines : undefined
        },
        { timeoutMs: 10_000, what: 'a stored profile of every enabled type' }
      )
      const first = fresh[0]
      assert.ok(first)
      assert.equal(first.labels['job'], 'pyroscope.scrape.self')
      assert.equal(first.labels['service_name'], 'shardscope')
      assert.equal(first.labels['env'], 'local')
      // From the agent's own `starting` line, so that a slow npm or node start-up does not count.
      const startedAt = Date.parse(/time=(\S+) [^\n]*msg=starting/.exec(output)?.[1] ?? String(started))
      assert.ok(Date.parse(first.time) - startedAt < 15_000 + 2_000, `first profile ${Date.parse(first.time) - startedAt} ms after starting`)
      assert.match(output, /received\/index\.jsonl/)
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM')
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  })
})
