/**
 * Plain gRPC Push (@grpc/grpc-js over cleartext HTTP/2) to real processes, on the same port as HTTP/1.1:
 * - `shardscope run` with pyroscope.receive_http forwarding to pyroscope.write: the push is forwarded with
 *   Alloy's ensureServiceName, refused pushes (bad message, no service name, too many series) forward
 *   nothing, and an SDK's `/ingest` upload still works on the port;
 * - `shardscope receive` (the same server): a gRPC push is stored.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '../../helpers/free-port.js'
import { createGrpcPushClient, decodePushRequest, GrpcStatus, pushRequestBytes } from '../../helpers/grpc-client.js'
import type { GrpcPushClient } from '../../helpers/grpc-client.js'
import { httpRequest, isReady } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { startPushServer, tinyProfile } from '../../helpers/receiver.js'
import type { PushServer } from '../../helpers/receiver.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

describe('gRPC push to pyroscope.receive_http in shardscope run', () => {
  let dir: { path: string; remove(): Promise<void> }
  let pyroscope: PushServer
  let agent: RunningProcess
  let port: number
  let client: GrpcPushClient

  before(async () => {
    dir = await tempDir('shardscope-receive-grpc-')
    pyroscope = await startPushServer()
    port = await freePort()
    const config = join(dir.path, 'agent.alloy')
    await writeFile(
      config,
      `pyroscope.receive_http "sdk" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${port}
  }
  forward_to = [pyroscope.write.central.receiver]
}
pyroscope.write "central" {
  endpoint {
    url = "${pyroscope.url}"
  }
}
`
    )
    agent = startShardscope(['run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${join(dir.path, 'data')}`])
    await waitFor(() => isReady(`http://127.0.0.1:${port}`), {
      timeoutMs: 20_000,
      what: `the receiver listening\n${agent.output().slice(-2000)}`
    })
    client = createGrpcPushClient(`127.0.0.1:${port}`)
  })
  after(async () => {
    client?.close()
    await agent?.stop()
    await pyroscope?.close()
    await dir?.remove()
  })

  it("forwards a gRPC push with Alloy's ensureServiceName, the profile byte for byte", { timeout: 30_000 }, async () => {
    const profile = tinyProfile({ value: 42 })
    const answer = await client.push(pushRequestBytes([{ labels: { __name__: 'myapp.cpu', foo: 'bar' }, samples: [{ raw: profile }] }]))
    assert.deepEqual(answer, { code: GrpcStatus.OK, details: '', response: Buffer.alloc(0) })
    await pyroscope.waitForRequests(1, 10_000)
    const forwarded = decodePushRequest(pyroscope.requests[0]?.body ?? Buffer.alloc(0))
    assert.equal(forwarded.length, 1)
    assert.equal(forwarded[0]?.labels['service_name'], 'myapp.cpu')
    assert.equal(forwarded[0]?.labels['foo'], 'bar')
    assert.deepEqual(Buffer.from(forwarded[0]?.samples[0]?.raw ?? []), profile)
  })

  it('refuses a malformed message, a series without any name and too many series, forwarding none of them', { timeout: 30_000 }, async () => {
    const malformed = await client.push(Buffer.from([0x0a, 0x05, 0x01]))
    assert.equal(malformed.code, GrpcStatus.INVALID_ARGUMENT)
    const nameless = await client.push(pushRequestBytes([{ labels: { foo: 'bar' }, samples: [{ raw: tinyProfile() }] }]))
    assert.equal(nameless.code, GrpcStatus.INVALID_ARGUMENT)
    assert.match(nameless.details, /service_name/)
    const series = Array.from({ length: 1001 }, (_, i) => ({ labels: { service_name: `svc-${i}` }, samples: [{ raw: tinyProfile() }] }))
    const tooMany = await client.push(pushRequestBytes(series))
    assert.equal(tooMany.code, GrpcStatus.INVALID_ARGUMENT)
    assert.match(tooMany.details, /more than 1000 series/)
    // A push after them arrives, and it is the only one since the first test's.
    assert.equal((await client.push(pushRequestBytes([{ labels: { service_name: 'after' }, samples: [{ raw: tinyProfile() }] }]))).code, GrpcStatus.OK)
    await pyroscope.waitForRequests(2, 10_000)
    assert.equal(pyroscope.requests.length, 2)
    assert.equal(decodePushRequest(pyroscope.requests[1]?.body ?? Buffer.alloc(0))[0]?.labels['service_name'], 'after')
  })

  it("still serves an SDK's /ingest upload over HTTP/1.1 on the same port", { timeout: 30_000 }, async () => {
    const before = pyroscope.requests.length
    const res = await httpRequest(`http://127.0.0.1:${port}/ingest?name=shop.cpu&from=1&until=11&format=folded`, { method: 'POST', body: 'main;work 3\n' })
    assert.equal(res.status, 200, res.text())
    await pyroscope.waitForRequests(before + 1, 10_000)
    assert.equal(decodePushRequest(pyroscope.requests[before]?.body ?? Buffer.alloc(0))[0]?.labels['service_name'], 'shop')
  })
})

describe('gRPC push to shardscope receive', () => {
  it('stores the profile of a gRPC push', { timeout: 30_000 }, async (t) => {
    const dir = await tempDir('shardscope-receive-grpc-cli-')
    t.after(() => dir.remove())
    const receiver = startShardscope(['receive', '--listen', '127.0.0.1:0', '--dir', join(dir.path, 'received')])
    t.after(() => receiver.stop())
    const address = (await receiver.waitForOutput(/listening on http:\/\/(127\.0\.0\.1:\d+)/))[1] ?? ''
    const client = createGrpcPushClient(address)
    t.after(() => client.close())
    const answer = await client.push(pushRequestBytes([{ labels: { __name__: 'process_cpu', service_name: 'stored-over-grpc' }, samples: [{ raw: tinyProfile() }] }]))
    assert.equal(answer.code, GrpcStatus.OK)
    const index = await readFile(join(dir.path, 'received', 'index.jsonl'), 'utf8')
    assert.match(index, /"service_name":"stored-over-grpc"/)
  })
})
