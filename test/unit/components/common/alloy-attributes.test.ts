/**
 * Alloy attributes and blocks shardscope used to refuse: implemented (http_headers, godeltaprof `delta`,
 * profile.custom replacing a built-in type) or accepted with a warning naming them.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS } from '../../../../src/http/index.js'
import type { HttpClientOptions } from '../../../../src/http/index.js'
import { formatDiagnostic } from '../../../../src/syntax/diagnostics.js'
import type { ScrapeArguments } from '../../../../src/components/pyroscope/scrape/arguments.js'
import { argumentsOf, configErrors, loadValid, WRITE_LOCAL } from '../../../helpers/config.js'
import { startRecordingServer } from '../../../helpers/recording-server.js'
import type { RecordingServer } from '../../../helpers/recording-server.js'

const warnings = (text: string): string[] => loadValid(text).warnings.map(formatDiagnostic)

const scrape = (body: string): string => `pyroscope.scrape "s" {
  targets    = [{"__address__" = "localhost:4100"}]
  forward_to = [pyroscope.write.local.receiver]
${body}
}
${WRITE_LOCAL}`

describe('http_headers', () => {
  let server: RecordingServer
  before(async () => {
    server = await startRecordingServer()
  })
  after(() => server.close())

  it('decodes as map(list(secret)) and is sent on every request', async () => {
    const args = argumentsOf<ScrapeArguments>(scrape('  http_headers = {"X-Scope-OrgID" = ["tenant-1"], "X-Multi" = ["a", "b"]}'), 'pyroscope.scrape.s')
    const client = createHttpClient({ ...DEFAULT_HTTP_CLIENT_OPTIONS, ...(args.http_client as HttpClientOptions) }, { userAgent: 'shardscope/test' })
    try {
      const res = await client.request(`${server.origin}/debug/pprof/heap`, { method: 'GET', signal: AbortSignal.timeout(5000) })
      await res.body.dump()
    } finally {
      await client.close()
    }
    const seen = server.requests.at(-1)?.headers
    assert.equal(seen?.['x-scope-orgid'], 'tenant-1')
    assert.equal(seen?.['x-multi'], 'a, b')
    assert.equal(seen?.['user-agent'], 'shardscope/test')
  })

  it('refuses headers the client sets itself, and line breaks (without echoing the value)', () => {
    assert.deepEqual(configErrors(scrape('  http_headers = {"Authorization" = ["Bearer x"]}')), [
      'test.alloy:4:3: http_headers: setting header "Authorization" is not allowed'
    ])
    const errors = configErrors(scrape('  http_headers = {"X-A" = ["secret-value\\r\\nInjected: 1"]}'))
    assert.deepEqual(errors, ['test.alloy:4:3: http_headers: the value of "X-A" holds a line break or NUL'])
  })
})

describe('attributes accepted with a warning', () => {
  it("pyroscope.write's tracing block and debug_info_upload_timeout", () => {
    const text = `pyroscope.write "w" {\n  endpoint {\n    url = "http://h:1"\n    debug_info_upload_timeout = "1m"\n  }\n  tracing {\n    jaeger_propagator = true\n  }\n}\n`
    assert.deepEqual(warnings(text), [
      'test.alloy:4:33: debug_info_upload_timeout is accepted for Alloy compatibility but debug info is not uploaded',
      'test.alloy:6:3: block "tracing" is accepted for Alloy compatibility but no trace context is propagated'
    ])
  })

  it("pyroscope.receive_http's server settings", () => {
    const text = `pyroscope.receive_http "r" {
  http {
    listen_port          = 4040
    conn_limit           = 100
    server_read_timeout  = "30s"
    server_write_timeout = "30s"
    server_idle_timeout  = "2m"
    http2 {
      enabled = true
    }
  }
  grpc {
    listen_port = 4041
  }
  graceful_shutdown_timeout = "30s"
  storage_path = "x"
}
`
    const names = warnings(text).map((w) => w.replace(/^test\.alloy:\d+:\d+: /, '').split(' is accepted')[0])
    assert.deepEqual(names, [
      'graceful_shutdown_timeout',
      'block "grpc"',
      'conn_limit',
      'server_read_timeout',
      'server_write_timeout',
      'server_idle_timeout',
      'block "http2"'
    ])
  })

  it('still type-checks an accepted attribute', () => {
    assert.deepEqual(configErrors(`pyroscope.receive_http "r" {\n  http {\n    conn_limit = true\n  }\n  storage_path = "x"\n}\n`), [
      'test.alloy:3:18: conn_limit: expected number, got bool'
    ])
  })

  it("refuses receive_http's tls block rather than serving plaintext", () => {
    assert.deepEqual(configErrors(`pyroscope.receive_http "r" {\n  http {\n    tls {\n      cert_file = "c"\n    }\n  }\n  storage_path = "x"\n}\n`), [
      'test.alloy:3:5: tls is not supported by pyroscope.receive_http: terminate TLS in front of it'
    ])
  })
})

describe('profile types', () => {
  const types = (body: string): Record<string, { enabled: boolean; path: string; delta: boolean }> =>
    Object.fromEntries(argumentsOf<ScrapeArguments>(scrape(`  profiling_config {\n${body}\n  }`), 'pyroscope.scrape.s').profile_types.map((p) => [p.name, { enabled: p.enabled, path: p.path, delta: p.delta }]))

  it('takes delta in godeltaprof blocks', () => {
    assert.deepEqual(types('    profile.godeltaprof_memory {\n      enabled = true\n      delta = false\n    }')['godeltaprof_memory'], {
      enabled: true,
      path: '/debug/pprof/delta_heap',
      delta: false
    })
  })

  it("lets profile.custom replace a built-in type of the same name (Alloy's AllTargets)", () => {
    const t = types('    profile.custom "memory" {\n      enabled = true\n      path = "/custom/heap"\n    }\n    profile.custom "process_cpu" {\n      enabled = false\n      path = "/debug/pprof/profile"\n    }')
    assert.deepEqual(t['memory'], { enabled: true, path: '/custom/heap', delta: false })
    assert.equal(t['process_cpu']?.enabled, false)
    const all = argumentsOf<ScrapeArguments>(scrape('  profiling_config {\n    profile.custom "memory" {\n      enabled = true\n      path = "/x"\n    }\n  }'), 'pyroscope.scrape.s').profile_types
    assert.equal(all.filter((p) => p.name === 'memory').length, 1)
  })
})
