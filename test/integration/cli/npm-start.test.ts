/**
 * `npm start` (the README's quick start) runs the agent on config/default.alloy: within one scrape interval
 * (15 s) the embedded receiver has stored a profile of the agent itself in ./data/index.jsonl.
 * Uses the fixed ports of the default config (12345, 4040): no other test may use them.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from '../../helpers/cli.js'
import { waitFor } from '../../helpers/wait-for.js'

const INDEX = join(REPO_ROOT, 'data', 'index.jsonl')

async function storedLines(): Promise<{ time: string; labels: Record<string, string> }[]> {
  const text = await readFile(INDEX, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as { time: string; labels: Record<string, string> })
}

describe('npm start', () => {
  it('stores a profile of the agent itself within one scrape interval', { timeout: 60_000 }, async () => {
    const before = (await storedLines()).length
    const started = Date.now()
    // Its own process group, so that npm, its shell and the agent all stop together.
    const child = spawn('npm', ['start'], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      const fresh = await waitFor(
        async () => {
          const lines = (await storedLines()).slice(before)
          return lines.length > 0 ? lines : undefined
        },
        { timeoutMs: 25_000, what: `a stored profile (output: ${output.slice(-1500)})` }
      )
      const first = fresh[0]
      assert.ok(first)
      assert.equal(first.labels['job'], 'pyroscope.scrape.self')
      assert.equal(first.labels['service_name'], 'shardscope')
      assert.equal(first.labels['env'], 'local')
      // One 15 s interval, plus the time node and npm take to start.
      assert.ok(Date.parse(first.time) - started < 15_000 + 5_000, `first profile after ${Date.parse(first.time) - started} ms`)
      assert.match(output, /index\.jsonl/)
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM')
      const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
  })
})
