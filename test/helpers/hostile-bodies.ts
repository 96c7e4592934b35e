/**
 * The byte-level bodies of docs/hostile-input.md: small on the wire, enormous once decoded. Built from
 * raw protobuf bytes (no encoder), so a test states exactly what an attacker sends.
 */
import { gzipSync } from 'node:zlib'
import { encodePushRequest } from '../../src/components/pyroscope/write/index.js'

/** `n` times the bytes of `unit`, back to back. */
export function repeated(unit: readonly number[], n: number): Buffer {
  const one = Buffer.from(unit)
  const out = Buffer.allocUnsafe(one.length * n)
  for (let i = 0; i < n; i++) one.copy(out, i * one.length)
  return out
}

/** gzip(`12 00` × n): n empty `sample` fields. With n = 4,000,000: 8 MB inflated, about 7.8 KB gzipped. */
export function sampleBomb(n = 4_000_000): Buffer {
  return gzipSync(repeated([0x12, 0x00], n), { level: 9 })
}

/**
 * A valid profile of `n` identical samples (one location, one function): every referential check passes.
 * With n = 500,000 it gzips to about 6 KB.
 */
export function validManySamples(n = 500_000): Buffer {
  const head = Buffer.from([
    // sample_type { type: 1, unit: 2 }
    0x0a, 0x04, 0x08, 0x01, 0x10, 0x02,
    // location { id: 1, line { function_id: 1, line: 1 } }
    0x22, 0x06, 0x08, 0x01, 0x22, 0x02, 0x08, 0x01,
    // function { id: 1, name: 3 }
    0x2a, 0x04, 0x08, 0x01, 0x10, 0x03,
    // string_table: "", "samples", "count", "f"
    0x32, 0x00, 0x32, 0x07, ...Buffer.from('samples'), 0x32, 0x05, ...Buffer.from('count'), 0x32, 0x01, 0x66
  ])
  // sample { location_id: [1], value: [1] }
  return gzipSync(Buffer.concat([head, repeated([0x12, 0x04, 0x08, 0x01, 0x10, 0x01], n)]), { level: 9 })
}

/** `0a 00` × n: a PushRequest of n empty series (4 MB with n = 2,000,000). */
export function emptySeriesPush(n = 2_000_000): Buffer {
  return repeated([0x0a, 0x00], n)
}

/** One series per profile, each with its own service_name. */
export function pushOf(profiles: readonly Uint8Array[], labels: Record<string, string> = {}): Buffer {
  return Buffer.from(
    encodePushRequest(
      profiles.map((raw, i) => ({ labels: Object.entries({ __name__: 'process_cpu', service_name: `svc-${i}`, ...labels }), samples: [{ raw }] }))
    )
  )
}
