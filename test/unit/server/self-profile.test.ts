/**
 * The pure conversions behind /debug/pprof (src/pprof/self-profile*.ts), from V8's shapes to pprof.
 * They live with the server tests because the server owns self-profiling.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Profiler } from 'node:inspector'
import type { Profile } from 'pprof-format'
import { cpuProfileToPprof, goroutineProfileToPprof, heapProfileToPprof } from '../../../src/pprof/self-profile.js'
import type { SamplingHeapProfile } from '../../../src/pprof/self-profile.js'

const frame = (functionName: string, lineNumber = 0) => ({
  functionName,
  scriptId: '1',
  url: functionName.startsWith('(') ? '' : 'file:///app/main.js',
  lineNumber,
  columnNumber: 0
})

/** Samples as "leaf;parent;… → values", the way flame graphs read. */
function stacks(profile: Profile): Map<string, number[]> {
  const str = (i: number | bigint): string => profile.stringTable.strings[Number(i)] ?? '?'
  const fnName = new Map(profile.function.map((f) => [Number(f.id), str(f.name)]))
  const locName = new Map(profile.location.map((l) => [Number(l.id), fnName.get(Number(l.line[0]?.functionId)) ?? '?']))
  return new Map(
    profile.sample.map((s) => [s.locationId.map((id) => locName.get(Number(id)) ?? '?').join(';'), s.value.map(Number)])
  )
}

function typeNames(profile: Profile): string[] {
  const str = (i: number | bigint): string => profile.stringTable.strings[Number(i)] ?? '?'
  return profile.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`)
}

describe('cpuProfileToPprof', () => {
  const v8Profile: Profiler.Profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 5, 6] },
      { id: 2, callFrame: frame('main', 10), hitCount: 0, children: [3] },
      { id: 3, callFrame: frame('work', 20), hitCount: 4, children: [] },
      { id: 5, callFrame: frame('(idle)'), hitCount: 10 },
      { id: 6, callFrame: frame('(garbage collector)'), hitCount: 1 }
    ],
    startTime: 1_000_000,
    endTime: 3_500_000,
    samples: [],
    timeDeltas: []
  }
  const intervalMicros = 10_000
  const startedAtMs = Date.parse('2024-05-01T12:00:00Z')
  const profile = cpuProfileToPprof(v8Profile, startedAtMs, intervalMicros)

  it('gives each node with hits a leaf-first stack, valued in samples and in cpu nanoseconds', () => {
    const periodNanos = intervalMicros * 1000
    assert.deepEqual(
      stacks(profile),
      new Map([
        ['work;main', [4, 4 * periodNanos]],
        ['(garbage collector)', [1, periodNanos]]
      ])
    )
  })

  it('leaves out idle time, which is not CPU spent by the process', () => {
    assert.ok(![...stacks(profile).keys()].some((k) => k.includes('(idle)')))
  })

  it('records sample types, period, start time and duration as Go does', () => {
    assert.deepEqual(typeNames(profile), ['samples/count', 'cpu/nanoseconds'])
    assert.equal(Number(profile.period), intervalMicros * 1000)
    assert.equal(BigInt(profile.timeNanos), BigInt(startedAtMs) * 1_000_000n)
    assert.equal(BigInt(profile.durationNanos), BigInt(v8Profile.endTime - v8Profile.startTime) * 1000n)
  })

  it('turns 0-based V8 lines into 1-based pprof lines', () => {
    const work = profile.function.find((f) => profile.stringTable.strings[Number(f.name)] === 'work')
    assert.equal(Number(work?.startLine), 21)
  })
})

describe('heapProfileToPprof', () => {
  const interval = 32 * 1024
  const sampled: SamplingHeapProfile = {
    head: {
      id: 1,
      callFrame: frame('(root)'),
      selfSize: 0,
      children: [
        {
          id: 2,
          callFrame: frame('load'),
          selfSize: 0,
          children: [{ id: 3, callFrame: frame('parse'), selfSize: 0, children: [] }]
        }
      ]
    },
    samples: [
      { size: 64, nodeId: 3 },
      { size: 64, nodeId: 3 },
      { size: 10 * interval, nodeId: 2 }
    ]
  }
  const profile = heapProfileToPprof(sampled, Date.now(), interval)

  it('groups samples by allocation site and scales them like Go for the sampling rate', () => {
    const scale = (avg: number): number => 1 / (1 - Math.exp(-avg / interval))
    const small = scale(64)
    const big = scale(10 * interval)
    assert.deepEqual(
      stacks(profile),
      new Map([
        ['parse;load', [Math.round(2 * small), Math.round(128 * small)]],
        ['load', [Math.round(big), Math.round(10 * interval * big)]]
      ])
    )
  })

  it('uses inuse_objects/count and inuse_space/bytes, space by default', () => {
    assert.deepEqual(typeNames(profile), ['inuse_objects/count', 'inuse_space/bytes'])
    assert.equal(profile.stringTable.strings[Number(profile.defaultSampleType)], 'inuse_space')
    assert.equal(Number(profile.period), interval)
  })

  it('gives an empty but valid profile when nothing was sampled', () => {
    const empty = heapProfileToPprof({ head: sampled.head }, Date.now(), interval)
    assert.equal(empty.sample.length, 0)
    assert.deepEqual(typeNames(empty), ['inuse_objects/count', 'inuse_space/bytes'])
  })
})

describe('goroutineProfileToPprof', () => {
  it('counts active resources per type, one sample each', () => {
    const profile = goroutineProfileToPprof(['Timeout', 'TCPServerWrap', 'Timeout'], Date.now())
    assert.deepEqual(typeNames(profile), ['goroutine/count'])
    assert.deepEqual(
      stacks(profile),
      new Map([
        ['TCPServerWrap', [1]],
        ['Timeout', [2]]
      ])
    )
  })
})
