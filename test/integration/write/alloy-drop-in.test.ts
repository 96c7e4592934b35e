/**
 * An Alloy user's pipeline unchanged, in-process on real sockets: an SDK's `/ingest` upload to
 * pyroscope.receive_http, forwarded by pyroscope.write to an endpoint whose URL carries the credentials
 * (`https://user:token@host/`, which Go sends as basic auth). The credentials reach the server as an
 * Authorization header and appear nowhere else.
 */
import { describe, it, after, before } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { freePort } from '../../helpers/free-port.js'
import { startAgent } from '../../helpers/agent.js'
import type { InProcessAgent } from '../../helpers/agent.js'
import { httpRequest, isReady } from '../../helpers/http.js'
import { startPushServer } from '../../helpers/receiver.js'
import type { PushServer } from '../../helpers/receiver.js'
import { argumentsOf } from '../../helpers/config.js'
import { waitFor } from '../../helpers/wait-for.js'

const PROTO = fileURLToPath(new URL('../../../../test/fixtures/proto/push.proto', import.meta.url))
const PushRequest = protobuf.loadSync(PROTO).lookupType('push.v1.PushRequest')

describe('Alloy drop-in: /ingest → receive_http → write with URL credentials', () => {
  let server: PushServer
  let agent: InProcessAgent
  let port: number
  before(async () => {
    server = await startPushServer()
    port = await freePort()
    const endpoint = server.url.replace('http://', 'http://123456:glc_s3cr%40t@')
    agent = await startAgent(`
logging {
  level = "warn"
}
pyroscope.receive_http "sdk" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = "${port}"
  }
  forward_to = [pyroscope.write.cloud.receiver]
}
pyroscope.write "cloud" {
  endpoint {
    url = "${endpoint}"
  }
  external_labels = {"shard" = 7}
}
`)
  })
  after(async () => {
    await agent.stop()
    await server.close()
  })

  it('forwards a folded upload with basic auth from the URL, and the URL never shows the password', async () => {
    // The receiver starts listening asynchronously.
    await waitFor(() => isReady(`http://127.0.0.1:${port}`), { timeoutMs: 10_000, what: 'the receiver listening' })
    const res = await httpRequest(`http://127.0.0.1:${port}/ingest?name=shop.cpu%7Bregion%3Deu%7D&from=1&until=11&sampleRate=100`, { method: 'POST', body: 'main;checkout 5\n' })
    assert.equal(res.status, 200, res.text())
    await server.waitForRequests(1, 10_000)
    const req = server.requests[0]
    assert.ok(req)
    assert.equal(req.headers['authorization'], `Basic ${Buffer.from('123456:glc_s3cr@t').toString('base64')}`)
    const body = PushRequest.toObject(PushRequest.decode(req.body)) as { series: { labels: { name: string; value: string }[] }[] }
    const labels = Object.fromEntries(body.series[0]?.labels.map((l) => [l.name, l.value]) ?? [])
    assert.deepEqual(labels, { __name__: 'process_cpu', region: 'eu', service_name: 'shop', shard: '7' })
    const debug = JSON.stringify(agent.debug('pyroscope.write.cloud'))
    assert.ok(!debug.includes('s3cr'), debug)
  })
})

describe('URL credentials in arguments', () => {
  it('discovery.http: the URL loses them and basic_auth gets them (the password a secret)', () => {
    const args = argumentsOf<{ url: string; http_client: { basic_auth?: { username: string; password?: { toString(): string } } } }>(
      `discovery.http "d" {\n  url = "https://u%20ser:p%2Fw@sd.example.com/targets?x=1"\n}\n`,
      'discovery.http.d'
    )
    assert.equal(args.url, 'https://sd.example.com/targets?x=1')
    assert.equal(args.http_client.basic_auth?.username, 'u ser')
    assert.ok(!JSON.stringify(args).includes('p/w'))
  })

  it('a configured basic_auth wins over the URL, as in Go', () => {
    const args = argumentsOf<{ endpoints: { url: string; http_client: { basic_auth?: { username: string } } }[] }>(
      `pyroscope.write "w" {\n  endpoint {\n    url = "https://a:b@p.example.com/"\n    basic_auth {\n      username = "cfg"\n      password = "x"\n    }\n  }\n}\n`,
      'pyroscope.write.w'
    )
    assert.equal(args.endpoints[0]?.url, 'https://p.example.com')
    assert.equal(args.endpoints[0]?.http_client.basic_auth?.username, 'cfg')
  })
})
