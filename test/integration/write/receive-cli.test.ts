import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { parseListenAddress, runReceive } from '../../../src/cli/receive.js'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import { Endpoint, ProfileWriter, createWriteMetrics } from '../../../src/components/pyroscope/write/index.js'
import { systemClock } from '../../../src/util/clock.js'
import { createLogger, silentLogger } from '../../../src/util/logger.js'
import type { Logger } from '../../../src/util/logger.js'
import { createTestHttpClient, httpRequest } from '../../helpers/http.js'
import { tinyProfile } from '../../helpers/receiver.js'
import { waitFor } from '../../helpers/wait-for.js'

/** A JSON logger whose lines the test reads. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    }
  })
  return { logger: createLogger({ format: 'json', destination }), lines }
}

/** The base URL of the receiver's `listening on` line, once logged. */
function listeningOn(lines: readonly string[]): Promise<string> {
  return waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join(''))?.[1], { what: "the receiver's 'listening on' line" })
}

describe('runReceive', () => {
  it('stores what pyroscope.write pushes to it: files whose bytes and sha256 match their index lines', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-receive-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const { logger, lines } = recordingLogger()
    const stopReceiver = new AbortController()
    const receiving = runReceive({ listen: '127.0.0.1:0', dir, signal: stopReceiver.signal, logger })
    t.after(async () => {
      stopReceiver.abort()
      await receiving
    })
    const url = await listeningOn(lines)

    const client = createTestHttpClient()
    t.after(() => client.close())
    const endpoint = new Endpoint(
      {
        url,
        name: 'local',
        remote_timeout_ms: 5_000,
        headers: {},
        min_backoff_ms: 10,
        max_backoff_ms: 20,
        max_backoff_retries: 3,
        queue_capacity: 10,
        userAgent: 'shardscope/test'
      },
      { client, clock: systemClock, logger: silentLogger(), metrics: createWriteMetrics(new Registry()) }
    )
    const writer = new ProfileWriter({ endpoints: [endpoint], external_labels: { env: 'test' }, logger: silentLogger(), clock: systemClock })
    const stopWriter = new AbortController()
    const writing = writer.run(stopWriter.signal)
    t.after(async () => {
      stopWriter.abort()
      await writing
    })

    const profiles = [tinyProfile({ value: 11 }), tinyProfile({ value: 12, gzip: false })]
    for (const [i, raw] of profiles.entries()) {
      await writer.append({ __name__: 'process_cpu', service_name: `svc-${i}`, __address__: 'x:1' }, [{ raw }])
    }
    await waitFor(() => endpoint.stats().sent === 2)

    const entries = await readIndex(dir)
    assert.equal(entries.length, 2)
    for (const [i, raw] of profiles.entries()) {
      const entry = entries.find((e) => e.labels['service_name'] === `svc-${i}`)
      assert.ok(entry !== undefined)
      assert.deepEqual(entry.labels, { __name__: 'process_cpu', env: 'test', service_name: `svc-${i}` })
      const onDisk = await readFile(join(dir, entry.file))
      assert.deepEqual(onDisk, raw)
      assert.equal(entry.bytes, raw.byteLength)
      assert.equal(entry.sha256, createHash('sha256').update(onDisk).digest('hex'))
    }
  })

  it('returns once its signal aborts, logs that it stopped, and frees its port', { timeout: 10_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-receive-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const { logger, lines } = recordingLogger()
    const stop = new AbortController()
    const receiving = runReceive({ listen: '127.0.0.1:0', dir, signal: stop.signal, logger })
    const base = await listeningOn(lines)
    assert.equal((await httpRequest(`${base}/-/healthy`)).status, 200)
    stop.abort()
    await receiving
    const last = JSON.parse(lines.at(-1) ?? '{}') as { msg?: string; total?: number }
    assert.deepEqual([last.msg, last.total], ['stopped', 0])
    await assert.rejects(httpRequest(`${base}/-/healthy`), { code: 'ECONNREFUSED' })
  })

  it('returns and logs that it stopped when its signal aborts before it listens', { timeout: 10_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-receive-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const { logger, lines } = recordingLogger()
    const stop = new AbortController()
    const receiving = runReceive({ listen: '127.0.0.1:0', dir, signal: stop.signal, logger })
    stop.abort()
    await receiving
    const last = JSON.parse(lines.at(-1) ?? '{}') as { msg?: string; total?: number }
    assert.deepEqual([last.msg, last.total], ['stopped', 0])
  })
})

describe('parseListenAddress', () => {
  it('reads host:port and [v6]:port and refuses anything else with the flag name', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:4040'), { host: '127.0.0.1', port: 4040 })
    assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 })
    for (const bad of ['4040', 'host:', 'a:b', 'h:70000']) assert.throws(() => parseListenAddress(bad), /--listen must be host:port/)
  })
})
