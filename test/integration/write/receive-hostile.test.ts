/**
 * `shardscope receive` as a real process under the attacks of docs/hostile-input.md, at the default heap
 * and with --max-old-space-size=256: each hostile body is refused with a clear reason, the process stays
 * up, /-/ready answers within 1 s throughout (probed from an address of its own), a client that is not
 * the attacker is not locked out, and nothing of a refused request is stored.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import { encodePushRequest } from '../../../src/components/pyroscope/write/index.js'
import { emptySeriesPush, pushOf, sampleBomb, validManySamples } from '../../helpers/hostile-bodies.js'
import { httpRequest } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { tinyProfile } from '../../helpers/receiver.js'
import { waitFor } from '../../helpers/wait-for.js'

const PUSH = '/push.v1.PusherService/Push'
const ATTACK_MS = 3_000

/** One request on a connection of its own from `localAddress` (default 127.0.0.1): the server tells clients apart by address. */
async function call(port: number, opts: { method: 'GET' | 'POST'; path: string; body?: Uint8Array; localAddress?: string }): Promise<{ status: number; body: string }> {
  const res = await httpRequest(`http://127.0.0.1:${port}${opts.path}`, {
    method: opts.method,
    headers: opts.body === undefined ? {} : { 'content-type': 'application/proto' },
    ...(opts.body === undefined ? {} : { body: opts.body }),
    localAddress: opts.localAddress ?? '127.0.0.1',
    timeoutMs: 30_000
  })
  return { status: res.status, body: res.text() }
}

/** Probes /-/ready from 127.0.0.3 every 100 ms, one probe at a time; keeps the slowest answer. */
function probeReadiness(port: number): { stop: () => Promise<{ probes: number; slowestMs: number; failures: string[] }> } {
  let running = true
  let probes = 0
  let slowestMs = 0
  const failures: string[] = []
  const loop = (async () => {
    while (running) {
      const started = performance.now()
      try {
        const res = await call(port, { method: 'GET', path: '/-/ready', localAddress: '127.0.0.3' })
        if (res.status !== 200) failures.push(`status ${res.status}`)
      } catch (error) {
        failures.push(String(error))
      }
      slowestMs = Math.max(slowestMs, performance.now() - started)
      probes++
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return { probes, slowestMs, failures }
    }
  }
}

async function startReceiver(t: import('node:test').TestContext, nodeOptions: string | undefined): Promise<{ proc: RunningProcess; port: number; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'shardscope-receive-hostile-'))
  const env = nodeOptions === undefined ? process.env : { ...process.env, NODE_OPTIONS: nodeOptions }
  const proc = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', dir], { env })
  t.after(async () => {
    await proc.stop('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  const match = await proc.waitForOutput(/listening on http:\/\/127\.0\.0\.1:(\d+)/)
  return { proc, port: Number(match[1]), dir }
}

const attacks: [string, () => Uint8Array, RegExp][] = [
  ['gzip(12 00 × 4,000,000)', () => pushOf([sampleBomb()]), /profile exceeds the decoding budget/],
  ['three valid 500k-sample profiles', () => pushOf([validManySamples(), validManySamples(), validManySamples()]), /profile exceeds the decoding budget/],
  ['0a 00 × 2,000,000', () => emptySeriesPush(), /more than 1000 series/],
  ['25,000 tiny distinct profiles', () => encodePushRequest([{ labels: [['service_name', 'a']], samples: Array.from({ length: 25_000 }, (_, i) => ({ raw: tinyProfile({ value: i + 1 }) })) }]), /more than 1000 profiles/],
  ['a 1 MB label value', () => pushOf([tinyProfile()], { big: 'x'.repeat(1024 * 1024) }), /labels take more than/],
  ['a NUL byte in a label', () => pushOf([tinyProfile()], { env: 'a\0b' }), /NUL byte/],
  ['a series without service_name', () => encodePushRequest([{ labels: [['__name__', 'process_cpu']], samples: [{ raw: tinyProfile() }] }]), /service_name label is required/]
]

for (const [heap, nodeOptions] of [['the default heap', undefined], ['--max-old-space-size=256', '--max-old-space-size=256']] as const) {
  describe(`shardscope receive under attack, at ${heap}`, () => {
    it('refuses every hostile body with a clear reason, stays up and ready within 1 s, and stores only the honest pushes', { timeout: 120_000 }, async (t) => {
      const { proc, port, dir } = await startReceiver(t, nodeOptions)
      // Built first: building them here would hold this process's loop, and its readiness probes with it.
      const bodies = attacks.map(([name, body, reason]) => [name, body(), reason] as const)
      const readiness = probeReadiness(port)
      t.after(() => readiness.stop())
      // Rounds of every attack for at least ATTACK_MS: refusals take milliseconds now, and readiness is
      // to be probed under attack, not only between two.
      const started = Date.now()
      let honestPushes = 0
      for (let round = 0; round === 0 || Date.now() - started < ATTACK_MS; round++) {
        for (const [name, bytes, reason] of bodies) {
          // Twice: a retried refusal stores nothing either.
          for (let attempt = 0; attempt < 2; attempt++) {
            const res = await call(port, { method: 'POST', path: PUSH, body: bytes })
            assert.equal(res.status, 400, `${name}: ${res.body}`)
            assert.match((JSON.parse(res.body) as { message: string }).message, reason, name)
          }
          const after = `${round}_${name.slice(0, 20).replace(/[^A-Za-z0-9]/g, '_')}`
          const honest = await call(port, { method: 'POST', path: PUSH, body: pushOf([tinyProfile()], { after }), localAddress: '127.0.0.2' })
          assert.equal(honest.status, 200, honest.body)
          honestPushes++
        }
      }
      const result = await readiness.stop()
      assert.deepEqual(result.failures, [])
      assert.ok(result.probes > 5, `${result.probes} readiness probes`)
      assert.ok(result.slowestMs < 1_000, `the slowest /-/ready answer took ${Math.round(result.slowestMs)} ms`)
      assert.equal(proc.child.exitCode, null, proc.output())
      const entries = await readIndex(dir)
      assert.equal(entries.length, honestPushes, 'one profile per honest push, none of the refused ones')
    })

    it('is not locked out by 8 sockets that send only a request head', { timeout: 60_000 }, async (t) => {
      const { proc, port, dir } = await startReceiver(t, nodeOptions)
      const readiness = probeReadiness(port)
      t.after(() => readiness.stop())
      const answers: string[] = Array.from({ length: 8 }, () => '')
      const sockets = Array.from({ length: 8 }, (_, i) => {
        const s = connect({ host: '127.0.0.1', port })
        s.setEncoding('utf8')
        s.on('data', (d: string) => (answers[i] += d))
        s.on('error', () => undefined)
        s.write(`POST ${PUSH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/proto\r\nContent-Length: 100000\r\n\r\n`)
        return s
      })
      t.after(() => sockets.forEach((s) => s.destroy()))
      let closed = 0
      for (const s of sockets) s.once('close', () => closed++)
      for (let i = 0; i < 5; i++) {
        const res = await call(port, { method: 'POST', path: PUSH, body: pushOf([tinyProfile({ value: i + 1 })]), localAddress: '127.0.0.2' })
        assert.equal(res.status, 200, res.body)
      }
      // Every held slot is freed within the body deadline (10 s by default).
      await waitFor(() => closed === 8 || undefined, { timeoutMs: 15_000, what: `the 8 head-only sockets closed by the receiver (answers: ${JSON.stringify(answers)})` })
      assert.equal(answers.filter((a) => a.startsWith('HTTP/1.1 408')).length + answers.filter((a) => a.startsWith('HTTP/1.1 503')).length, 8)
      const result = await readiness.stop()
      assert.deepEqual(result.failures, [])
      assert.ok(result.slowestMs < 1_000, `the slowest /-/ready answer took ${Math.round(result.slowestMs)} ms`)
      assert.equal(proc.child.exitCode, null)
      assert.equal((await readIndex(dir)).length, 5)
    })
  })
}

describe('shardscope receive after kill -9 under concurrent clients', () => {
  it('keeps every acknowledged profile and, after a restart, leaves no debris and no file without an index line', { timeout: 60_000 }, async (t) => {
    const first = await startReceiver(t, undefined)
    const acknowledged = new Set<string>()
    let stop = false
    const clients = Array.from({ length: 6 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        const service = `c${c}-${i}`
        const body = encodePushRequest([{ labels: [['service_name', service]], samples: Array.from({ length: 5 }, (_, k) => ({ raw: tinyProfile({ value: i * 10 + k + 1 }) })) }])
        try {
          const res = await call(first.port, { method: 'POST', path: PUSH, body })
          if (res.status === 200) acknowledged.add(service)
        } catch {
          return
        }
      }
    })
    await waitFor(() => acknowledged.size >= 30 || undefined, { timeoutMs: 20_000, what: '30 acknowledged pushes' })
    await first.proc.stop('SIGKILL')
    stop = true
    await Promise.all(clients)
    const restarted = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', first.dir])
    t.after(() => restarted.stop('SIGKILL'))
    await restarted.waitForOutput(/listening on/)
    const entries = await readIndex(first.dir)
    const stored = new Map<string, number>()
    for (const e of entries) stored.set(e.labels['service_name'] ?? '', (stored.get(e.labels['service_name'] ?? '') ?? 0) + 1)
    for (const service of acknowledged) assert.equal(stored.get(service), 5, `acknowledged ${service} is stored whole`)
    const files = (await readdir(join(first.dir), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(first.dir.length + 1))
    assert.deepEqual(files.filter((f) => f.endsWith('.tmp') || f.startsWith('staging')), [])
    const indexed = new Set(entries.map((e) => e.file))
    assert.deepEqual(files.filter((f) => f !== 'index.jsonl' && f !== 'shardscope.lock' && !indexed.has(f)), [], 'every profile file has its index line')
  })
})
