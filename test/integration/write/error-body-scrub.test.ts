/**
 * An endpoint that echoes the request headers in its 400 answer (as some proxies and gateways do) must not
 * put the bearer token or the basic-auth value into pyroscope.write's log: the error body is scrubbed and cut.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { Endpoint, createWriteMetrics, prepareSeries } from '../../../src/components/pyroscope/write/index.js'
import { systemClock } from '../../../src/util/clock.js'
import { createLogger } from '../../../src/util/logger.js'
import { listenOnLoopback } from '../../helpers/free-port.js'
import { createTestHttpClient } from '../../helpers/http.js'
import { waitFor } from '../../helpers/wait-for.js'

const SECRETS = ['S3CRET-BEARER-token-0123456789', 'dTpCQVNJQy1TRUNSRVQ=', 'K3Y-VALUE-42']

describe('pyroscope.write error bodies in logs', () => {
  for (const authorization of [`Bearer ${SECRETS[0]}`, `Basic ${SECRETS[1]}`]) {
    it(`scrubs an echoed ${authorization.split(' ')[0]} credential and cuts the body`, async (t) => {
      const server = createServer((req, res) => {
        req.resume()
        const { authorization: auth, 'x-api-key': key, ...rest } = req.headers
        const echoed = JSON.stringify({
          code: 'invalid_argument',
          message: `request rejected; headers: ${JSON.stringify({ authorization: auth, 'x-api-key': key, ...rest })} ${'x'.repeat(5000)}`
        })
        res.writeHead(400, { 'content-type': 'application/json' }).end(echoed)
      })
      const listening = await listenOnLoopback(server)
      t.after(listening.close)
      const lines: string[] = []
      const logger = createLogger({
        format: 'json',
        level: 'debug',
        destination: new Writable({
          write(chunk: Buffer, _enc, done) {
            lines.push(chunk.toString())
            done()
          }
        })
      })
      const client = createTestHttpClient()
      t.after(() => client.close())
      const endpoint = new Endpoint(
        {
          url: `http://127.0.0.1:${listening.port}`,
          name: 'echo',
          remote_timeout_ms: 5_000,
          headers: { authorization, 'x-api-key': SECRETS[2] as string },
          min_backoff_ms: 10,
          max_backoff_ms: 20,
          max_backoff_retries: 1,
          queue_capacity: 10,
          userAgent: 'shardscope/test'
        },
        { client, clock: systemClock, logger, metrics: createWriteMetrics(new Registry()) }
      )
      const stop = new AbortController()
      const running = endpoint.run(stop.signal)
      t.after(async () => {
        stop.abort()
        await running
      })
      endpoint.enqueue(prepareSeries([['service_name', 'a']], [{ raw: Buffer.from('p') }]))
      await waitFor(() => endpoint.stats().dropped_rejected === 1, { timeoutMs: 5_000, what: 'the push rejected' })
      const log = await waitFor(() => lines.find((l) => l.includes('HTTP 400')), { timeoutMs: 5_000, what: 'the logged rejection' })
      assert.match(log, /headers: .*authorization.*xxxxx.*x-api-key.*xxxxx/)
      for (const secret of SECRETS) assert.ok(!lines.join('').includes(secret), `the log holds ${secret}`)
      assert.ok(log.length < 1500, `the logged line is ${log.length} characters`)
    })
  }
})
