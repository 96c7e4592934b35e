/**
 * `/ingest` and Connect-JSON push on a real receive server (127.0.0.1), sent as the Pyroscope SDKs send them:
 * the Go SDK's multipart pprof with `sample_type_config`, raw pprof, and collapsed text (Ruby, Python, .NET
 * agents). Label cases ported from Alloy's receive_http_test.go (TestForwardsProfilesIngest,
 * TestForwardsProfilesPushV1) at grafana/alloy 66ebea8, adapted where docs/alloy-compatibility.md says so.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import { FormData } from 'undici'
import { parseIngestName, ensureServiceName } from '../../../../../src/components/pyroscope/receive_http/ingest-name.js'
import { encodePushRequest } from '../../../../../src/components/pyroscope/write/push-request.js'
import { buildProfile } from '../../../../../src/pprof/self-profile-builder.js'
import { httpRequest } from '../../../../helpers/http.js'
import type { RecordingReceiver } from '../../../../helpers/receiver.js'
import { startRecordingReceiver, tinyProfile } from '../../../../helpers/receiver.js'

function decode(raw: Uint8Array): Profile {
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw
  return Profile.decode(bytes)
}

function sampleTypes(p: Profile): string[] {
  return p.sampleType.map((t) => String(p.stringTable.strings[Number(t.type)]))
}

describe('parseIngestName', () => {
  const cases: [string, { fullName: string; appName: string; suffix: string | undefined; tags: Record<string, string> }][] = [
    ['test.app', { fullName: 'test.app', appName: 'test.app', suffix: undefined, tags: {} }],
    ['myapp.cpu{env=prod,region=us-east}', { fullName: 'myapp.cpu', appName: 'myapp', suffix: 'cpu', tags: { env: 'prod', region: 'us-east' } }],
    ['my.app.alloc_space{}', { fullName: 'my.app.alloc_space', appName: 'my.app', suffix: 'alloc_space', tags: {} }],
    ['test.app{invalid-label-syntax}', { fullName: 'test.app', appName: 'test.app', suffix: undefined, tags: {} }],
    ['a.cpu{ k = "v, w" , x=y}', { fullName: 'a.cpu', appName: 'a', suffix: 'cpu', tags: { k: 'v, w', x: 'y' } }]
  ]
  for (const [text, want] of cases) {
    it(text, () => {
      const got = parseIngestName(text)
      assert.ok(got.ok)
      assert.deepEqual({ ...got.name, tags: { ...got.name.tags } }, want)
    })
  }
  it('refuses an unclosed brace and a duplicate tag', () => {
    assert.equal(parseIngestName('a{b=c').ok, false)
    assert.equal(parseIngestName('a{b=c,b=d}').ok, false)
  })
})

describe('ensureServiceName (Alloy receive_http.go)', () => {
  it('takes service_name from __name__, or adds app_name when service_name is set', () => {
    assert.deepEqual(ensureServiceName({ __name__: 'myapp.cpu', foo: 'bar' }), { __name__: 'myapp.cpu', foo: 'bar', service_name: 'myapp.cpu' })
    assert.deepEqual(ensureServiceName({ __name__: 'x', service_name: 's' }), { __name__: 'x', service_name: 's', app_name: 'x' })
    assert.deepEqual(ensureServiceName({ app: 'a' }), { app: 'a' })
  })
})

describe('receive server: /ingest and JSON push', () => {
  let receiver: RecordingReceiver
  before(async () => {
    receiver = await startRecordingReceiver({ maxBodyBytes: 1024 * 1024, maxDecompressedBytes: 4 * 1024 * 1024, ensureServiceName: true })
  })
  after(() => receiver.close())

  const last = (): { labels: Record<string, string>; raw: Uint8Array } => {
    const s = receiver.received.at(-1)
    assert.ok(s)
    assert.equal(s.samples.length, 1)
    return { labels: { ...s.labels }, raw: s.samples[0]!.raw }
  }

  const post = async (query: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> => {
    const res = await httpRequest(`${receiver.url}/ingest?${query}`, { method: 'POST', headers, body })
    return { status: res.status, text: res.text() }
  }

  it('takes the Go SDK form: multipart pprof with sample_type_config (display-name renames the type)', async () => {
    const form = new FormData()
    form.append('profile', new Blob([tinyProfile()]), 'profile.pprof')
    form.append('sample_type_config', new Blob([JSON.stringify({ cpu: { units: 'samples', 'display-name': 'cpu_time' } })]), 'sample_type_config.json')
    const query = 'name=goapp.cpu%7Benv%3Dprod%7D&from=1700000000&until=1700000010&spyName=gospy&sampleRate=100&format=pprof'
    const before = receiver.received.length
    const res = await httpRequest(`${receiver.url}/ingest?${query}`, { method: 'POST', body: form })
    assert.equal(res.status, 200, res.text())
    assert.equal(receiver.received.length, before + 1)
    const got = last()
    assert.deepEqual(got.labels, { __name__: 'process_cpu', service_name: 'goapp', env: 'prod' })
    assert.deepEqual(sampleTypes(decode(got.raw)), ['cpu_time'])
  })

  it("takes the Node SDK form: multipart pprof without format or suffix, named by its sample types", async () => {
    const wall = buildProfile(
      { sampleTypes: [['samples', 'count'], ['wall', 'microseconds']], periodType: ['wall', 'microseconds'], period: 10_000, timeNanos: 0n, durationNanos: 0n },
      [{ frames: [{ functionName: 'handler', url: 'file:///app/main.js', lineNumber: 3, columnNumber: 1 }], values: [2, 20_000] }]
    )
    const form = new FormData()
    form.append('profile', new Blob([gzipSync(wall.encode())], { type: 'text/json' }), 'profile')
    const res = await httpRequest(`${receiver.url}/ingest?from=1700000000&name=nodeapp%7Bregion%3Deu%7D&spyName=nodespy&until=1700000010&sampleRate=100`, { method: 'POST', body: form })
    assert.equal(res.status, 200, res.text())
    assert.deepEqual(last().labels, { __name__: 'wall', service_name: 'nodeapp', region: 'eu' })
  })

  it('takes raw pprof and keeps its bytes', async () => {
    const body = tinyProfile({ value: 5 })
    const res = await post('name=test.app%7Bservice_name%3Dmy-service%7D&format=pprof', body, { 'content-type': 'application/octet-stream' })
    assert.equal(res.status, 200, res.text)
    const got = last()
    assert.deepEqual(got.labels, { __name__: 'process_cpu', service_name: 'my-service', app_name: 'test.app' })
    assert.deepEqual(Buffer.from(got.raw), body)
  })

  it('converts collapsed (folded) text to pprof, summing equal stacks', async () => {
    const text = 'main;work;leaf 3\nmain;idle 2\nmain;work;leaf 4\n'
    const res = await post('name=rbapp.cpu%7Bregion%3Deu%7D&from=100&until=110&sampleRate=100&spyName=rbspy', text)
    assert.equal(res.status, 200, res.text)
    const got = last()
    assert.deepEqual(got.labels, { __name__: 'process_cpu', service_name: 'rbapp', region: 'eu' })
    const p = decode(got.raw)
    assert.deepEqual(sampleTypes(p), ['samples', 'cpu'])
    const stacks = p.sample.map((s) => ({
      stack: s.locationId.map((id) => String(p.stringTable.strings[Number(p.function[Number(id) - 1]!.name)])).join('<'),
      values: s.value.map(Number)
    }))
    assert.deepEqual(
      stacks.sort((a, b) => a.stack.localeCompare(b.stack)),
      [
        { stack: 'idle<main', values: [2, 20_000_000] },
        { stack: 'leaf<work<main', values: [7, 70_000_000] }
      ]
    )
    assert.equal(Number(p.durationNanos), 10e9)
  })

  it('takes a gzip Content-Encoding and the lines format, with units in the sample type', async () => {
    const res = await post('name=pyapp.alloc_space&format=lines&units=bytes', gzipSync('a;b\na;b\nc\n'), { 'content-encoding': 'gzip' })
    assert.equal(res.status, 200, res.text)
    const got = last()
    assert.equal(got.labels['__name__'], 'memory')
    const p = decode(got.raw)
    assert.deepEqual(sampleTypes(p), ['alloc_space'])
    assert.deepEqual(p.sample.map((s) => Number(s.value[0])).sort(), [1, 2])
  })

  const refusals: [string, string, Buffer | string, Record<string, string>, number, RegExp][] = [
    ['JFR, with a clear 415', 'name=java.cpu&format=jfr', Buffer.from('FLR\0'), {}, 415, /jfr is not supported/],
    ['an unknown format', 'name=a.cpu&format=trie', 'x', {}, 415, /unsupported format .{0,3}trie/],
    ['no name', 'format=folded', 'a 1', {}, 400, /name query parameter is required/],
    ['a bad folded line', 'name=a.cpu', 'a;b notanumber', {}, 400, /folded line 1/],
    ['a pprof that is not one', 'name=a.cpu&format=pprof', Buffer.from('not a profile at all'), {}, 400, /invalid/],
    ['a gzip bomb', 'name=a.cpu', gzipSync(Buffer.alloc(8 * 1024 * 1024)), { 'content-encoding': 'gzip' }, 400, /exceeds the limit/],
    ['a body larger than the limit', 'name=a.cpu', Buffer.alloc(1024 * 1024 + 1, 0x61), {}, 413, /exceeds the limit/]
  ]
  for (const [what, query, body, headers, status, message] of refusals) {
    it(`refuses ${what} and forwards nothing`, async () => {
      const before = receiver.received.length
      const res = await post(query, body, headers)
      assert.equal(res.status, status)
      assert.match(res.text, message)
      assert.equal(receiver.received.length, before)
    })
  }

  it('answers 405 to a GET', async () => {
    const res = await httpRequest(`${receiver.url}/ingest?name=a.cpu`)
    assert.equal(res.status, 405)
  })

  it('takes Connect Push as JSON and applies ensureServiceName ({__name__=myapp.cpu, foo=bar})', async () => {
    const body = {
      series: [
        {
          labels: [
            { name: '__name__', value: 'myapp.cpu' },
            { name: 'foo', value: 'bar' }
          ],
          samples: [{ rawProfile: tinyProfile().toString('base64'), ID: 'req-1' }]
        }
      ]
    }
    const res = await httpRequest(`${receiver.url}/push.v1.PusherService/Push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'connect-protocol-version': '1' },
      body: JSON.stringify(body)
    })
    assert.equal(res.status, 200, res.text())
    const s = receiver.received.at(-1)
    assert.deepEqual({ ...s?.labels }, { __name__: 'myapp.cpu', foo: 'bar', service_name: 'myapp.cpu' })
    assert.equal(s?.samples[0]?.id, 'req-1')
  })

  const frame = (message: Uint8Array): Buffer => {
    const header = Buffer.alloc(5)
    header.writeUInt32BE(message.length, 1)
    return Buffer.concat([header, message])
  }

  it('takes gRPC-Web Push (binary and text) and answers with a trailer frame', async () => {
    const message = encodePushRequest([{ labels: [['__name__', 'process_cpu'], ['service_name', 'grpcweb']], samples: [{ raw: tinyProfile() }] }])
    for (const [type, body] of [
      ['application/grpc-web+proto', frame(message)],
      ['application/grpc-web-text', Buffer.from(frame(message).toString('base64'))]
    ] as const) {
      const before = receiver.received.length
      const res = await httpRequest(`${receiver.url}/push.v1.PusherService/Push`, { method: 'POST', headers: { 'content-type': type }, body })
      const answer = res.body
      assert.equal(res.status, 200)
      const frames = type.includes('text') ? Buffer.from(answer.toString('latin1'), 'base64') : answer
      assert.equal(frames.readUInt32BE(1), 0) // the empty PushResponse
      assert.equal(frames[5], 0x80)
      assert.match(frames.subarray(10).toString('latin1'), /^grpc-status:0\r\n/)
      assert.equal(receiver.received.length, before + 1)
      assert.equal(receiver.received.at(-1)?.labels['service_name'], 'grpcweb')
    }
  })

  it('answers a bad gRPC-Web push with grpc-status 3 and forwards nothing', async () => {
    const before = receiver.received.length
    const res = await httpRequest(`${receiver.url}/push.v1.PusherService/Push`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      body: frame(Buffer.from('not a push request'))
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers['grpc-status'], '3')
    assert.ok(String(res.headers['grpc-message']).length > 0)
    assert.equal(receiver.received.length, before)
  })

  it('refuses JSON push that is not JSON or not a profile', async () => {
    for (const body of ['{', JSON.stringify({ series: [{ labels: [{ name: 'a', value: 'b' }], samples: [{ rawProfile: 'AAAA' }] }] })]) {
      const res = await httpRequest(`${receiver.url}/push.v1.PusherService/Push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      assert.equal(res.status, 400)
    }
  })
})
