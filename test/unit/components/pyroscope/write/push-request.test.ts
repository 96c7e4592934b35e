import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { decodePushRequest, encodePushRequest } from '../../../../../src/components/pyroscope/write/push-request.js'
import { prepareSeries } from '../../../../../src/components/pyroscope/write/prepared-push.js'

// dist/test/unit/components/pyroscope/write → the repository's test/fixtures
const PROTO = fileURLToPath(new URL('../../../../../../test/fixtures/proto/push.proto', import.meta.url))
const PushRequest = protobuf.loadSync(PROTO).lookupType('push.v1.PushRequest')

interface DecodedByProtobufjs {
  series: { labels: { name: string; value: string }[]; samples: { rawProfile: Uint8Array; ID: string }[] }[]
}

describe('encodePushRequest', () => {
  it('produces a PushRequest that protobufjs decodes from the .proto text', () => {
    const body = encodePushRequest([
      {
        labels: [
          ['__name__', 'cpu'],
          ['service_name', 'svc']
        ],
        samples: [{ raw: Buffer.from('pprofraw'), id: 'test-request-id' }, { raw: Buffer.from([0, 1, 2]) }]
      },
      { labels: [['service_name', 'other']], samples: [{ raw: Buffer.from('x') }] }
    ])
    const decoded = PushRequest.toObject(PushRequest.decode(body), { defaults: true }) as DecodedByProtobufjs
    assert.equal(decoded.series.length, 2)
    assert.deepEqual(decoded.series[0]?.labels, [
      { name: '__name__', value: 'cpu' },
      { name: 'service_name', value: 'svc' }
    ])
    assert.deepEqual(Buffer.from(decoded.series[0]?.samples[0]?.rawProfile ?? []).toString(), 'pprofraw')
    assert.equal(decoded.series[0]?.samples[0]?.ID, 'test-request-id')
    assert.equal(decoded.series[0]?.samples[1]?.ID, '')
    assert.deepEqual([...(decoded.series[0]?.samples[1]?.rawProfile ?? [])], [0, 1, 2])
    assert.equal(decoded.series[1]?.labels[0]?.value, 'other')
  })
})

describe('decodePushRequest', () => {
  it('reads what protobufjs encodes, including unknown fields it must skip', () => {
    const message = PushRequest.fromObject({
      series: [{ labels: [{ name: 'service_name', value: 'é' }], samples: [{ rawProfile: Buffer.from('abc'), ID: 'id-1' }] }]
    })
    const bytes = Buffer.concat([PushRequest.encode(message).finish(), Buffer.from([0x18, 0x05])]) // field 3 varint 5
    const result = decodePushRequest(bytes)
    assert.ok(result.ok, JSON.stringify(result))
    assert.deepEqual(result.series[0]?.labels, [['service_name', 'é']])
    assert.equal(Buffer.from(result.series[0]?.samples[0]?.raw ?? []).toString(), 'abc')
    assert.equal(result.series[0]?.samples[0]?.id, 'id-1')
  })

  it('round-trips its own encoding', () => {
    const series = [{ labels: [['a', 'b'] as const], samples: [{ raw: new Uint8Array([9, 8, 7]), id: 'z' }] }]
    const result = decodePushRequest(encodePushRequest(series))
    assert.ok(result.ok)
    assert.deepEqual(result.series, [{ labels: [['a', 'b']], samples: [{ raw: new Uint8Array([9, 8, 7]), id: 'z' }] }])
  })

  it('refuses truncated input with a reason', () => {
    const body = encodePushRequest([{ labels: [['service_name', 'svc']], samples: [{ raw: Buffer.from('profile') }] }])
    for (let cut = 1; cut < body.length; cut++) {
      const result = decodePushRequest(body.subarray(0, cut))
      assert.equal(result.ok, false, `cut at ${cut}`)
      assert.ok(!result.ok && result.reason.startsWith('malformed push.v1.PushRequest: '))
    }
  })

  it('refuses a known field with the wrong wire type, an illegal tag, and invalid UTF-8', () => {
    const wrongWireType = decodePushRequest(Buffer.from([0x08, 0x01])) // series as a varint
    assert.ok(!wrongWireType.ok && wrongWireType.reason.includes('wire type 0'))
    assert.equal(decodePushRequest(Buffer.from([0x07, 0x00])).ok, false) // wire type 7
    // series { labels { name = 0xff } }
    const badUtf8 = Buffer.from([0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0xff])
    const result = decodePushRequest(badUtf8)
    assert.ok(!result.ok && result.reason.includes('not valid UTF-8'), JSON.stringify(result))
  })

  it('reads an empty body as a request with no series', () => {
    assert.deepEqual(decodePushRequest(new Uint8Array(0)), { ok: true, series: [] })
  })
})

describe('encodePushRequest / decodePushRequest (properties)', () => {
  it('round-trips any labels, bytes and ids', async () => {
    const pair = fc.tuple(fc.string(), fc.string()).map(([n, v]) => [n, v] as const)
    const sample = fc.record({ raw: fc.uint8Array({ maxLength: 64 }), id: fc.string({ maxLength: 8 }) })
    const seriesArb = fc.array(fc.record({ labels: fc.array(pair, { maxLength: 5 }), samples: fc.array(sample, { maxLength: 3 }) }), {
      maxLength: 4
    })
    fc.assert(
      fc.property(seriesArb, (series) => {
        const result = decodePushRequest(encodePushRequest(series))
        assert.ok(result.ok)
        assert.deepEqual(
          result.series.map((s) => ({ labels: s.labels.map(([n, v]) => [n, v]), samples: s.samples.map((x) => ({ raw: [...x.raw], id: x.id })) })),
          series.map((s) => ({ labels: s.labels.map(([n, v]) => [n, v]), samples: s.samples.map((x) => ({ raw: [...x.raw], id: x.id })) }))
        )
      }),
      { numRuns: 200 }
    )
  })
})

describe('prepareSeries', () => {
  it('names every sample without an ID by a random UUID of its own, and keeps a given ID', () => {
    const decode = (body: Uint8Array): string[] => {
      const result = decodePushRequest(body)
      assert.ok(result.ok)
      return result.series.flatMap((s) => s.samples.map((x) => x.id))
    }
    const labels = [['service_name', 'svc']] as const
    const [a, b, given] = decode(prepareSeries(labels, [{ raw: Buffer.from('p1') }, { raw: Buffer.from('p2'), id: '' }, { raw: Buffer.from('p3'), id: 'test-request-id' }]).body)
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    assert.match(a ?? '', uuid)
    assert.match(b ?? '', uuid)
    assert.notEqual(a, b)
    assert.equal(given, 'test-request-id')
    const again = decode(prepareSeries(labels, [{ raw: Buffer.from('p1') }]).body)
    assert.notEqual(again[0], a, 'the same bytes appended twice are two profiles')
  })
})
