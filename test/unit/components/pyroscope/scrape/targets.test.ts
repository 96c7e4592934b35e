import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { createKeyHasher, type KeyHasher } from '../../../../../src/util/label-hash.js'
import {
  DEFAULT_PROFILE_TYPES,
  type ProfileTypeConfig
} from '../../../../../src/components/pyroscope/scrape/profile-types.js'
import { expandTargets, inferServiceName, type ExpansionConfig } from '../../../../../src/components/pyroscope/scrape/targets.js'
import { buildScrapeUrl, scrapeQuery } from '../../../../../src/components/pyroscope/scrape/scrape-url.js'
import { encodeQuery, hasHostPort, joinPath } from '../../../../../src/components/pyroscope/scrape/go-url.js'
import type { Labels } from '../../../../../src/util/labels.js'

function config(overrides: Partial<ExpansionConfig> = {}): ExpansionConfig {
  return {
    job_name: '',
    scheme: 'http',
    params: null,
    scrape_interval_ms: 15_000,
    scrape_timeout_ms: 18_000,
    delta_profiling_duration_ms: 14_000,
    path_prefix: '',
    profile_types: DEFAULT_PROFILE_TYPES,
    ...overrides
  }
}

/** The default table with only the named types enabled. */
function only(...names: string[]): ProfileTypeConfig[] {
  return DEFAULT_PROFILE_TYPES.map((type) => ({ ...type, enabled: names.includes(type.name) }))
}

const everything: ProfileTypeConfig[] = [
  ...DEFAULT_PROFILE_TYPES.map((type) => ({ ...type, enabled: true })),
  { name: 'custom', path: '/foo239', enabled: true, delta: false }
]

const defaultPaths = (base: string): string[] => [
  `${base}/debug/pprof/allocs`,
  `${base}/debug/pprof/block`,
  `${base}/debug/pprof/goroutine`,
  `${base}/debug/pprof/mutex`,
  `${base}/debug/pprof/profile?seconds=14`
]

describe('expandTargets', () => {
  let hasher: KeyHasher
  before(async () => {
    hasher = await createKeyHasher()
  })
  const expand = (targets: Labels[], cfg = config()) => expandTargets(targets, cfg, hasher)
  const urls = (targets: Labels[], cfg = config()) => expand(targets, cfg).scrapes.map((s) => s.url).sort()

  describe('scrape URLs (Alloy test cases)', () => {
    it('gives localhost:9090 the five default URLs, with seconds=14 on the CPU profile', () => {
      assert.deepEqual(urls([{ __address__: 'localhost:9090' }]), defaultPaths('http://localhost:9090'))
    })

    it('uses the target __scheme__ label over the config scheme', () => {
      assert.deepEqual(
        urls([{ __address__: 'localhost:9090', __scheme__: 'https' }]),
        defaultPaths('https://localhost:9090')
      )
    })

    it('adds :443 to an address without a port when the target scheme is https', () => {
      assert.deepEqual(
        urls([{ __address__: 'localhost', __scheme__: 'https' }]),
        defaultPaths('https://localhost:443')
      )
    })

    it('adds :80 to an address without a port for http, labelled or by default', () => {
      const expected = defaultPaths('http://localhost:80')
      assert.deepEqual(urls([{ __address__: 'localhost', __scheme__: 'http' }]), expected)
      assert.deepEqual(urls([{ __address__: 'localhost' }]), expected)
      assert.deepEqual(urls([{ __address__: '[::1]' }], config({ profile_types: only('memory') })), [
        'http://[::1]:80/debug/pprof/allocs'
      ])
    })

    it('uses the config scheme https when the target has none', () => {
      assert.deepEqual(
        urls([{ __address__: 'localhost' }], config({ scheme: 'https' })),
        defaultPaths('https://localhost:443')
      )
    })

    it('builds only the CPU URL when only process_cpu is enabled', () => {
      assert.deepEqual(urls([{ __address__: 'localhost:9090' }], config({ profile_types: only('process_cpu') })), [
        'http://localhost:9090/debug/pprof/profile?seconds=14'
      ])
    })

    const allTen = (base: string): string[] => [
      `${base}/debug/fgprof?seconds=14`,
      `${base}/debug/pprof/allocs`,
      `${base}/debug/pprof/block`,
      `${base}/debug/pprof/delta_block`,
      `${base}/debug/pprof/delta_heap`,
      `${base}/debug/pprof/delta_mutex`,
      `${base}/debug/pprof/goroutine`,
      `${base}/debug/pprof/mutex`,
      `${base}/debug/pprof/profile?seconds=14`,
      `${base}/foo239`
    ]

    it('builds ten URLs with every type and a custom one enabled', () => {
      const cfg = config({ scheme: 'https', profile_types: everything })
      assert.deepEqual(urls([{ __address__: '127.0.0.1:4100' }], cfg), allTen('https://127.0.0.1:4100'))
    })

    it('prefixes every path with the target __profile_path_prefix__', () => {
      const cfg = config({ scheme: 'https', profile_types: everything })
      const target = { __address__: '127.0.0.1:4100', __profile_path_prefix__: '/mimir-prometheus' }
      assert.deepEqual(urls([target], cfg), allTen('https://127.0.0.1:4100/mimir-prometheus'))
    })

    it('prefixes with path_prefix, unless the target brings its own prefix', () => {
      const cfg = config({ path_prefix: '/foo', profile_types: only('process_cpu') })
      assert.deepEqual(urls([{ __address__: 'localhost:9090' }], cfg), [
        'http://localhost:9090/foo/debug/pprof/profile?seconds=14'
      ])
      assert.deepEqual(
        urls([{ __address__: 'localhost:9090' }, { __address__: 'localhost:4242', __profile_path_prefix__: '/bar' }], cfg),
        ['http://localhost:4242/bar/debug/pprof/profile?seconds=14', 'http://localhost:9090/foo/debug/pprof/profile?seconds=14']
      )
    })

    it('asks for delta_profiling_duration seconds when it is not the default 14s', () => {
      const cfg = config({ delta_profiling_duration_ms: 20_000, profile_types: only('process_cpu') })
      assert.deepEqual(urls([{ __address__: 'localhost:9090' }], cfg), [
        'http://localhost:9090/debug/pprof/profile?seconds=20'
      ])
    })

    it('asks for interval - 1 seconds while delta_profiling_duration is the default', () => {
      const cfg = config({ scrape_interval_ms: 30_000, profile_types: only('process_cpu') })
      assert.deepEqual(urls([{ __address__: 'localhost:9090' }], cfg), [
        'http://localhost:9090/debug/pprof/profile?seconds=29'
      ])
    })
  })

  describe('labels per profile type', () => {
    it('keeps a target that names its own path, type and prefix unchanged (labelsByProfiles)', () => {
      const target = {
        __address__: 'localhost:9090',
        __profile_path__: '/debug/pprof/custom_profile',
        __name__: 'custom_process_cpu',
        __profile_path_prefix__: '/prefix'
      }
      const { scrapes } = expand([target], config({ path_prefix: '/foo', profile_types: only('process_cpu') }))
      assert.equal(scrapes.length, 1)
      const [scrape] = scrapes
      assert.equal(scrape?.labels['__profile_path__'], '/debug/pprof/custom_profile')
      assert.equal(scrape?.labels['__name__'], 'custom_process_cpu')
      assert.equal(scrape?.labels['__profile_path_prefix__'], '/prefix')
      assert.equal(scrape?.url, 'http://localhost:9090/prefix/debug/pprof/custom_profile')
    })

    it('collapses the copies of a target that fixes both path and name into one scrape', () => {
      const target = { __address__: 'localhost:9090', __profile_path__: '/x', __name__: 'x' }
      assert.equal(expand([target]).scrapes.length, 1)
    })

    it('labels memory and CPU scrapes with instance, scheme, group labels and inferred service_name', () => {
      const group = { foo: 'bar' }
      const cases: [Labels, string][] = [
        [{ __address__: 'localhost:9090' }, 'unspecified'],
        [{ __address__: 'localhost:9091', service_name: 'svc' }, 'svc'],
        [{ __address__: 'localhost:9092', __meta_kubernetes_pod_annotation_pyroscope_io_service_name: 'k8s-svc' }, 'k8s-svc'],
        [{ __address__: 'localhost:9093', __meta_kubernetes_namespace: 'ns', __meta_kubernetes_pod_container_name: 'container' }, 'ns/container'],
        [{ __address__: 'localhost:9094', __meta_docker_container_name: 'docker-container' }, 'docker-container']
      ]
      const cfg = config({ profile_types: only('memory', 'process_cpu') })
      const { scrapes } = expand(cases.map(([target]) => ({ ...group, ...target })), cfg)
      assert.equal(scrapes.length, 10)
      for (const [target, serviceName] of cases) {
        const mine = scrapes.filter((s) => s.labels['__address__'] === target['__address__'])
        assert.deepEqual(mine.map((s) => s.profileType).sort(), ['memory', 'process_cpu'])
        for (const scrape of mine) {
          assert.equal(scrape.labels['service_name'], serviceName)
          assert.equal(scrape.labels['instance'], target['__address__'])
          assert.equal(scrape.labels['__scheme__'], 'http')
          assert.equal(scrape.labels['foo'], 'bar')
          assert.equal('job' in scrape.labels, false)
        }
        const memory = mine.find((s) => s.profileType === 'memory')
        const cpu = mine.find((s) => s.profileType === 'process_cpu')
        assert.equal(memory?.url, `http://${target['__address__']}/debug/pprof/allocs`)
        assert.equal(cpu?.url, `http://${target['__address__']}/debug/pprof/profile?seconds=14`)
      }
    })

    it('sets job only when job_name is given and the target has none', () => {
      const cfg = config({ job_name: 'pyroscope.scrape.default', profile_types: only('memory') })
      const [plain] = expand([{ __address__: 'a:1' }], cfg).scrapes
      const [own] = expand([{ __address__: 'a:1', job: 'mine' }], cfg).scrapes
      assert.equal(plain?.labels['job'], 'pyroscope.scrape.default')
      assert.equal(own?.labels['job'], 'mine')
    })

    it('keeps an instance label the target already has', () => {
      const [scrape] = expand([{ __address__: 'a', instance: 'pod-1' }], config({ profile_types: only('memory') })).scrapes
      assert.equal(scrape?.labels['instance'], 'pod-1')
      assert.equal(scrape?.labels['__address__'], 'a:80')
    })

    it('renames godeltaprof types to the plain name, keeps the delta path and needs no client delta', () => {
      const cfg = config({ profile_types: only('godeltaprof_memory', 'godeltaprof_mutex', 'godeltaprof_block') })
      const { scrapes } = expand([{ __address__: 'localhost:9090' }], cfg)
      const byType = new Map(scrapes.map((s) => [s.profileType, s]))
      assert.deepEqual([...byType.keys()].sort(), ['block', 'memory', 'mutex'])
      assert.equal(byType.get('memory')?.url, 'http://localhost:9090/debug/pprof/delta_heap')
      assert.equal(byType.get('memory')?.labels['__name__'], 'memory')
      for (const scrape of scrapes) {
        assert.equal(scrape.clientDelta, false)
        assert.equal('__delta__' in scrape.forwardLabels, false)
      }
    })

    it('renames a target labelled __name__=godeltaprof_memory the same way', () => {
      const target = { __address__: 'localhost:9090', __name__: 'godeltaprof_memory', __profile_path__: '/debug/pprof/delta_heap' }
      const [scrape] = expand([target], config({ profile_types: only('memory') })).scrapes
      assert.equal(scrape?.profileType, 'memory')
      assert.equal(scrape?.url, 'http://localhost:9090/debug/pprof/delta_heap')
      assert.equal(scrape?.clientDelta, false)
    })

    it('marks plain memory, mutex and block as client deltas, and nothing else', () => {
      const { scrapes } = expand([{ __address__: 'a:1' }], config({ profile_types: everything }))
      const clientDelta = scrapes.filter((s) => s.clientDelta).map((s) => s.url).sort()
      assert.deepEqual(clientDelta, ['http://a:1/debug/pprof/allocs', 'http://a:1/debug/pprof/block', 'http://a:1/debug/pprof/mutex'])
    })
  })

  describe('forwardLabels', () => {
    it('sends public labels, __name__ and __delta__="false" for client deltas, and no other __ label', () => {
      const target = {
        __address__: 'localhost:9090',
        __meta_kubernetes_namespace: 'ns',
        __param_debug: '1',
        env: 'prod'
      }
      const cfg = config({ job_name: 'j', profile_types: only('memory', 'process_cpu') })
      const byType = new Map(expand([target], cfg).scrapes.map((s) => [s.profileType, s.forwardLabels]))
      const common = { env: 'prod', instance: 'localhost:9090', job: 'j', service_name: 'unspecified' }
      assert.deepEqual(byType.get('memory'), { ...common, __delta__: 'false', __name__: 'memory' })
      assert.deepEqual(byType.get('process_cpu'), { ...common, __name__: 'process_cpu' })
    })

    it('keeps every label, __ ones included, in labels for status', () => {
      const target = { __address__: 'localhost:9090', __meta_x: 'y' }
      const [scrape] = expand([target], config({ profile_types: only('memory') })).scrapes
      assert.deepEqual(Object.keys(scrape?.labels ?? {}), [
        '__address__', '__meta_x', '__name__', '__profile_path__', '__scheme__', 'instance', 'service_name'
      ])
    })
  })

  describe('targets and scrape identity', () => {
    const two: Labels[] = [
      { __address__: 'foo', service_name: 's' },
      { __address__: 'bar', __meta_kubernetes_pod_annotation_pyroscope_io_service_name: 'k' }
    ]

    it('makes 10 scrapes of 2 targets, 15 of 3 and none of none', () => {
      assert.equal(expand(two).scrapes.length, 10)
      assert.equal(expand([...two, { __address__: 'baz' }]).scrapes.length, 15)
      assert.equal(expand([]).scrapes.length, 0)
    })

    it('keeps the same scrapes when only a __ label changes, and sets the delta timeout', () => {
      const types = DEFAULT_PROFILE_TYPES.map((t) => ({ ...t, enabled: t.name === 'mutex' || t.name === 'process_cpu' }))
      const cfg = config({ profile_types: types, scrape_timeout_ms: 1000, scrape_interval_ms: 2000 })
      const first = expand(two, cfg).scrapes
      const again = expand(two.map((t) => ({ ...t, __type__: 'foo' })), cfg).scrapes
      assert.equal(first.length, 4)
      assert.deepEqual(again.map((s) => s.id).sort(), first.map((s) => s.id).sort())
      for (const scrape of first) {
        assert.equal(scrape.timeoutMs, scrape.url.includes('seconds=') ? 2000 : 1000, scrape.url)
      }
    })

    it('gives a CPU scrape scrape_timeout plus its seconds as deadline', () => {
      const [scrape] = expand([{ __address__: 'a:1' }], config({ profile_types: only('process_cpu') })).scrapes
      assert.equal(scrape?.timeoutMs, 18_000 + 14_000)
    })

    it("adds interval − 1 s to a request with seconds, whatever its value (Alloy's timeout rule)", () => {
      const short = config({ profile_types: only('process_cpu'), scrape_interval_ms: 15_000, delta_profiling_duration_ms: 5_000 })
      const [cpu] = expand([{ __address__: 'a:1' }], short).scrapes
      assert.ok(cpu?.url.endsWith('seconds=5'), cpu?.url)
      assert.equal(cpu?.timeoutMs, 18_000 + 14_000)
      const userSeconds = config({ profile_types: only('memory'), params: { seconds: ['30'] }, scrape_interval_ms: 15_000 })
      assert.equal(expand([{ __address__: 'a:1' }], userSeconds).scrapes[0]?.timeoutMs, 18_000 + 14_000)
    })

    it('scrapes a duplicate target once and hands it back so the caller can warn', () => {
      const target = { __address__: 'a:1', __meta_source: 'one' }
      const copy = { __address__: 'a:1', __meta_source: 'two' }
      const result = expand([target, copy], config({ profile_types: only('memory') }))
      assert.equal(result.scrapes.length, 1)
      assert.deepEqual(result.duplicates, [copy])
      assert.equal(result.scrapes[0]?.labels['__meta_source'], 'one')
    })

    it('keys a scrape by its input target, so all its profile types share the key', () => {
      const { scrapes } = expand([{ __address__: 'a:1', __meta_x: 'y' }])
      assert.equal(new Set(scrapes.map((s) => s.key)).size, 1)
      assert.equal(scrapes[0]?.key, hasher.targetKey({ __address__: 'a:1' }))
      assert.equal(new Set(scrapes.map((s) => s.id)).size, 5)
      for (const scrape of scrapes) assert.match(scrape.id, /^[0-9a-f]{16}$/)
    })
  })

  describe('bad targets', () => {
    const memoryOnly = config({ profile_types: only('memory') })

    it('drops a target without an address, and keeps the others', () => {
      const result = expand([{ foo: 'x' }, { __address__: 'a:1' }, { __address__: '' }], memoryOnly)
      assert.equal(result.scrapes.length, 1)
      assert.deepEqual(result.dropped.map((d) => d.reason), ['no address', 'no address'])
      assert.deepEqual(result.dropped[0]?.labels, { foo: 'x' })
    })

    it('drops a target with a scheme other than http or https', () => {
      const result = expand([{ __address__: 'a', __scheme__: 'ftp' }, { __address__: 'a:1', __scheme__: 'ftp' }], memoryOnly)
      assert.equal(result.scrapes.length, 0)
      assert.deepEqual(result.dropped.map((d) => d.reason), ['invalid scheme: "ftp"', 'invalid scheme: "ftp"'])
    })

    it('drops a target whose address contains a slash', () => {
      const result = expand([{ __address__: 'a:1/x' }], memoryOnly)
      assert.deepEqual(result.dropped.map((d) => d.reason), ['"a:1/x" is not a valid hostname'])
    })

    it('accepts valid UTF-8 values and refuses invalid ones', () => {
      const result = expand(
        [
          { __address__: 'a:1', foo: 'valid-utf8-值-🚀' },
          { __address__: 'a:2', foo: 'value\nwith\nnewlines\tand\ttabs' },
          { __address__: 'a:3', foo: 'invalid\uDCFF\uDCFEutf8' },
          { __address__: 'a:4', foo: 'lone high \uD800' }
        ],
        memoryOnly
      )
      assert.deepEqual(result.scrapes.map((s) => s.labels['__address__']), ['a:1', 'a:2'])
      assert.equal(result.dropped.length, 2)
      assert.match(result.dropped[0]?.reason ?? '', /^invalid label value for "foo": /)
    })
  })

  describe('params', () => {
    it('never changes the config params, even for delta targets', () => {
      const params = Object.freeze({ debug: Object.freeze(['1']) })
      const cfg = config({ params, profile_types: only('process_cpu', 'memory') })
      const { scrapes } = expand([{ __address__: 'a:1' }, { __address__: 'b:1' }], cfg)
      assert.deepEqual(params, { debug: ['1'] })
      assert.deepEqual(scrapes.map((s) => s.url).sort(), [
        'http://a:1/debug/pprof/allocs?debug=1',
        'http://a:1/debug/pprof/profile?debug=1&seconds=14',
        'http://b:1/debug/pprof/allocs?debug=1',
        'http://b:1/debug/pprof/profile?debug=1&seconds=14'
      ])
    })

    it('lets a __param_<k> label replace the first value of k or add k', () => {
      const cfg = config({ params: { k: ['a', 'b'] }, profile_types: only('memory') })
      const [scrape] = expand([{ __address__: 'x:1', __param_other: 'o v' }], cfg).scrapes
      assert.equal(scrape?.url, 'http://x:1/debug/pprof/allocs?k=a&k=b&other=o+v')
      const labels = { __scheme__: 'http', __address__: 'x:1', __profile_path__: '/p', __param_k: 'z' }
      assert.equal(buildScrapeUrl(labels, scrapeQuery(labels, new Map([['k', ['a', 'b']]]))), 'http://x:1/p?k=z&k=b')
    })
  })
})

describe('joinPath', () => {
  it('joins as Go url.JoinPath: cleans, and keeps a trailing slash of the last element', () => {
    assert.equal(joinPath('v1/', '/debug/pprof/allocs'), '/v1/debug/pprof/allocs')
    assert.equal(joinPath('', '/debug/pprof/allocs'), '/debug/pprof/allocs')
    assert.equal(joinPath('/a//b/./c/..', 'd/'), '/a/b/d/')
    assert.equal(joinPath('/../..', '/x'), '/x')
    assert.equal(joinPath('', ''), '')
    assert.equal(joinPath('/p/', ''), '/p')
  })

  it('escapes as Go does: keeps valid escapes and sub-delims, encodes spaces, ? and non-ASCII', () => {
    assert.equal(joinPath('', '/a b'), '/a%20b')
    assert.equal(joinPath('', '/a%20b(c)'), '/a%20b(c)')
    assert.equal(joinPath('', '/q?x'), '/q%3Fx')
    assert.equal(joinPath('', '/é'), '/%C3%A9')
    assert.equal(joinPath('', '/100%'), '/100%25')
  })
})

describe('encodeQuery', () => {
  it('sorts keys, keeps value order and escapes like Go QueryEscape', () => {
    const query = new Map([
      ['seconds', ['14']],
      ['a b', ['x&y', 'é']],
      ['empty', []]
    ])
    assert.equal(encodeQuery(query), 'a+b=x%26y&a+b=%C3%A9&seconds=14')
    assert.equal(encodeQuery(new Map()), '')
  })
})

describe('hasHostPort', () => {
  it('follows Go net.SplitHostPort', () => {
    assert.equal(hasHostPort('localhost:9090'), true)
    assert.equal(hasHostPort('localhost:'), true)
    assert.equal(hasHostPort('[::1]:80'), true)
    assert.equal(hasHostPort('localhost'), false)
    assert.equal(hasHostPort('[::1]'), false)
    assert.equal(hasHostPort('::1'), false)
    assert.equal(hasHostPort('a[b:1'), false)
  })
})

describe('inferServiceName', () => {
  it('prefers the pod annotation, then namespace/container, docker, swarm task and swarm service', () => {
    assert.equal(inferServiceName({ __meta_kubernetes_pod_annotation_pyroscope_io_service_name: 'a', __meta_docker_container_name: 'd' }), 'a')
    assert.equal(inferServiceName({ __meta_kubernetes_namespace: 'ns' , __meta_docker_container_name: 'd' }), 'd')
    assert.equal(inferServiceName({ __meta_dockerswarm_container_label_service_name: 's', __meta_dockerswarm_service_name: 't' }), 's')
    assert.equal(inferServiceName({ __meta_dockerswarm_service_name: 't' }), 't')
    assert.equal(inferServiceName({}), 'unspecified')
  })
})
