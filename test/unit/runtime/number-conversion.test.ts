/**
 * Number ↔ string conversion where a field wants the other type. The conversion table follows Alloy's
 * syntax/internal/value/decode_test.go (TestDecode_Numbers: 15 and "15" decode into every number type and
 * string) and value.go convertValue at grafana/alloy 66ebea8; the config cases are the ones Alloy users write.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { numberToString, stringToNumber } from '../../../src/syntax/number-conversion.js'
import { argumentsOf, configErrors } from '../../helpers/config.js'

describe('numberToString (Go FormatInt / FormatFloat(f, \'f\', -1, 64))', () => {
  const cases: [number, string][] = [
    [15, '15'],
    [-15, '-15'],
    [0, '0'],
    [1.5, '1.5'],
    [3.0, '3'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e-10, '-0.00000000025'],
    [0.1, '0.1']
  ]
  for (const [n, s] of cases) it(`${n} → ${s}`, () => assert.equal(numberToString(n), s))
})

describe('stringToNumber (ParseInt for "-", ParseFloat for .eE, else ParseUint)', () => {
  const cases: [string, number | undefined][] = [
    ['15', 15],
    ['-15', -15],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['.5', 0.5],
    ['+1.5', 1.5],
    ['18446744073709551615', 18446744073709551615],
    ['18446744073709551616', undefined],
    ['-1.5', undefined],
    ['+15', undefined],
    ['', undefined],
    [' 15', undefined],
    ['0x10', undefined],
    ['1e400', undefined],
    ['Inf', undefined],
    ['abc', undefined]
  ]
  for (const [s, n] of cases) it(`${JSON.stringify(s)} → ${String(n)}`, () => assert.equal(stringToNumber(s), n))
})

describe('config fields', () => {
  it('takes a string for a number field (listen_port, max_backoff_retries)', () => {
    const receive = argumentsOf<{ listen_port: number }>(
      `pyroscope.receive_http "r" {\n  http {\n    listen_port = "4040"\n  }\n  storage_path = "x"\n}\n`,
      'pyroscope.receive_http.r'
    )
    assert.equal(receive.listen_port, 4040)
    const write = argumentsOf<{ endpoints: { max_backoff_retries: number }[] }>(
      `pyroscope.write "w" {\n  endpoint {\n    url = "http://h:1"\n    max_backoff_retries = "3"\n  }\n}\n`,
      'pyroscope.write.w'
    )
    assert.equal(write.endpoints[0]?.max_backoff_retries, 3)
  })

  it('takes a number for a string field (external_labels, target labels)', () => {
    const write = argumentsOf<{ external_labels: Record<string, string> }>(
      `pyroscope.write "w" {\n  endpoint {\n    url = "http://h:1"\n  }\n  external_labels = {"shard" = 3, "ratio" = 0.5}\n}\n`,
      'pyroscope.write.w'
    )
    assert.deepEqual({ ...write.external_labels }, { shard: '3', ratio: '0.5' })
    const scrape = argumentsOf<{ targets: Record<string, string>[] }>(
      `pyroscope.scrape "s" {\n  targets = [{"__address__" = "h:1", "port" = 8080}]\n  forward_to = []\n}\n`,
      'pyroscope.scrape.s'
    )
    assert.equal(scrape.targets[0]?.['port'], '8080')
  })

  it('still refuses a string that is not a number, and other types', () => {
    assert.deepEqual(configErrors(`pyroscope.receive_http "r" {\n  http {\n    listen_port = "http"\n  }\n  storage_path = "x"\n}\n`), [
      'test.alloy:3:19: listen_port: expected number, got string'
    ])
    assert.deepEqual(configErrors(`pyroscope.receive_http "r" {\n  http {\n    listen_port = true\n  }\n  storage_path = "x"\n}\n`), [
      'test.alloy:3:19: listen_port: expected number, got bool'
    ])
  })
})
