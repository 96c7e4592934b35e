import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Profile } from 'pprof-format'
import type { SampleInput } from 'pprof-format'
import { DELTA_VALUE_TYPES, DeltaComputer, checkProfileAsync, deltaValueTypesFor } from '../../../src/pprof/index.js'
import type { DeltaResult } from '../../../src/pprof/index.js'
import { heapSnapshots } from '../../helpers/heap-profiles.js'

const STRINGS = ['', 'alloc_objects', 'count', 'alloc_space', 'bytes', 'inuse_space', 'main.a', 'main.b', 'main.go', 'span', 'x', 'y']
/** Index of a string in STRINGS. */
function S(text: string): number {
  const index = STRINGS.indexOf(text)
  assert.ok(index >= 0, `unknown string ${text}`)
  return index
}

interface FakeSample {
  /** Function names from leaf to root. */
  readonly stack: readonly ('main.a' | 'main.b')[]
  /** alloc_objects, alloc_space, inuse_space */
  readonly values: readonly [number, number, number]
  readonly span?: 'x' | 'y'
}

/**
 * A memory-like profile. Location and function ids are shuffled per call (`idBase`), as two scrapes of
 * a real process number them independently.
 */
function memoryProfile(samples: readonly FakeSample[], opts: { idBase?: number; timeNanos?: number } = {}): Profile {
  const base = opts.idBase ?? 1
  const fnId = { 'main.a': base, 'main.b': base + 1 }
  const locId = { 'main.a': base + 10, 'main.b': base + 11 }
  const stringTable = new Profile().stringTable
  for (const s of STRINGS.slice(1)) stringTable.dedup(s)
  return new Profile({
    sampleType: [
      { type: S('alloc_objects'), unit: S('count') },
      { type: S('alloc_space'), unit: S('bytes') },
      { type: S('inuse_space'), unit: S('bytes') }
    ],
    function: (['main.a', 'main.b'] as const).map((name) => ({ id: fnId[name], name: S(name), filename: S('main.go') })),
    location: (['main.a', 'main.b'] as const).map((name) => ({ id: locId[name], line: [{ functionId: fnId[name], line: 7 }] })),
    sample: samples.map(
      (s): SampleInput => ({
        locationId: s.stack.map((name) => locId[name]),
        value: [...s.values],
        label: s.span === undefined ? [] : [{ key: S('span'), str: S(s.span) }]
      })
    ),
    stringTable,
    timeNanos: opts.timeNanos ?? 1_000_000_000
  })
}

/** The delta's samples as "stack|label → values", decoded from the gzipped body. */
function decodeDelta(result: DeltaResult): Map<string, number[]> {
  assert.ok(result.ok && result.body !== null, `expected a delta, got ${result.ok ? 'no body' : result.reason}`)
  const profile = Profile.decode(gunzipSync(result.body))
  const strings = profile.stringTable.strings
  const fnName = new Map(profile.function.map((f) => [Number(f.id), strings[Number(f.name)]]))
  const locName = new Map(profile.location.map((l) => [Number(l.id), fnName.get(Number(l.line[0]?.functionId))]))
  const out = new Map<string, number[]>()
  for (const sample of profile.sample) {
    const stack = sample.locationId.map((id) => locName.get(Number(id))).join(';')
    const label = sample.label.map((l) => `${strings[Number(l.key)]}=${strings[Number(l.str)]}`).join(',')
    out.set(`${stack}|${label}`, sample.value.map(Number))
  }
  return out
}

function memoryComputer(maxStateBytes?: number): DeltaComputer {
  const valueTypes = deltaValueTypesFor('memory') ?? []
  return new DeltaComputer(maxStateBytes === undefined ? { valueTypes } : { valueTypes, maxStateBytes })
}

describe('DeltaComputer', () => {
  it('returns no body for the first profile: it is the baseline', async () => {
    const delta = memoryComputer()
    assert.deepEqual(await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 100, 50] }])), { ok: true, body: null })
    assert.equal(delta.hasBaseline(), true)
  })

  it('sends b − a for the subtracted value types and the current value for the others', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a', 'main.b'], values: [3, 300, 40] }]))
    const second = await delta.compute(memoryProfile([{ stack: ['main.a', 'main.b'], values: [5, 800, 70] }], { idBase: 40 }))
    assert.deepEqual([...decodeDelta(second)], [['main.a;main.b|', [5 - 3, 800 - 300, 70]]])
  })

  it('keeps samples with the same stack but different labels apart', async () => {
    const delta = memoryComputer()
    await delta.compute(
      memoryProfile([
        { stack: ['main.a'], values: [1, 10, 0], span: 'x' },
        { stack: ['main.a'], values: [2, 20, 0], span: 'y' }
      ])
    )
    const second = await delta.compute(
      memoryProfile([
        { stack: ['main.a'], values: [4, 40, 0], span: 'x' },
        { stack: ['main.a'], values: [2, 25, 0], span: 'y' }
      ])
    )
    assert.deepEqual(Object.fromEntries(decodeDelta(second)), { 'main.a|span=x': [3, 30, 0], 'main.a|span=y': [0, 5, 0] })
  })

  it('drops samples whose outgoing values are all zero, and the locations only they used', async () => {
    const delta = memoryComputer()
    const samples: FakeSample[] = [
      { stack: ['main.a'], values: [1, 10, 0] },
      { stack: ['main.b'], values: [2, 20, 0] }
    ]
    await delta.compute(memoryProfile(samples))
    const second = await delta.compute(memoryProfile([samples[0] as FakeSample, { stack: ['main.b'], values: [3, 33, 0] }]))
    assert.deepEqual(Object.fromEntries(decodeDelta(second)), { 'main.b|': [1, 13, 0] })
    assert.ok(second.ok && second.body !== null)
    const profile = Profile.decode(gunzipSync(second.body))
    assert.equal(profile.location.length, 1, 'only main.b is still referenced')
  })

  it('sums repeated samples of one stack before subtracting, as Go heap profiles repeat stacks', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 1] }, { stack: ['main.a'], values: [1, 10, 1] }]))
    const second = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [2, 25, 1] }, { stack: ['main.a'], values: [3, 30, 1] }]))
    assert.deepEqual(Object.fromEntries(decodeDelta(second)), { 'main.a|': [5 - 2, 55 - 20, 2] })
  })

  it('sends the new totals of a sample whose counters went down (the process restarted)', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [100, 1000, 0] }]))
    const second = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [7, 70, 0] }]))
    assert.deepEqual(Object.fromEntries(decodeDelta(second)), { 'main.a|': [7, 70, 0] })
  })

  it('sends a sample first seen in the second profile whole', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }]))
    const second = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }, { stack: ['main.b'], values: [4, 44, 4] }]))
    assert.deepEqual(Object.fromEntries(decodeDelta(second)), { 'main.b|': [4, 44, 4] })
  })

  it('subtracts from the previous profile, not the first one', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }]))
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [4, 40, 0] }]))
    const third = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [10, 100, 0] }]))
    assert.deepEqual(Object.fromEntries(decodeDelta(third)), { 'main.a|': [6, 60, 0] })
  })

  it('sets the duration to the time between the two scrapes', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }], { timeNanos: 5_000_000_000 }))
    const second = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [2, 20, 0] }], { timeNanos: 20_000_000_000 }))
    assert.ok(second.ok && second.body !== null)
    assert.equal(Number(Profile.decode(gunzipSync(second.body)).durationNanos), 15_000_000_000)
  })

  it('reports its state size and frees it on reset', async () => {
    const delta = memoryComputer()
    assert.equal(delta.stateBytes(), 0)
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }, { stack: ['main.b'], values: [1, 10, 0] }]))
    const two = delta.stateBytes()
    assert.ok(two > 0)
    delta.reset()
    assert.equal(delta.stateBytes(), 0)
    assert.equal(delta.hasBaseline(), false)
    assert.deepEqual(await delta.compute(memoryProfile([{ stack: ['main.a'], values: [2, 20, 0] }])), { ok: true, body: null })
    assert.ok(delta.stateBytes() < two, 'one sample costs less than two')
  })

  it('drops the baseline instead of growing past its cap', async () => {
    const delta = memoryComputer(1)
    const result = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }]))
    assert.equal(result.ok, false)
    assert.equal(result.ok ? '' : result.code, 'DELTA_STATE_TOO_LARGE')
    assert.equal(delta.stateBytes(), 0)
    assert.equal(delta.hasBaseline(), false)
  })

  it('refuses a profile that has none of the value types to subtract', async () => {
    const delta = new DeltaComputer({ valueTypes: DELTA_VALUE_TYPES.mutex ?? [] })
    const result = await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }]))
    assert.deepEqual(result, {
      ok: false,
      code: 'DELTA_NO_VALUE_TYPES',
      reason: 'profile has none of the value types contentions/count, delay/nanoseconds'
    })
  })

  it('does not modify the profiles it is given', async () => {
    const delta = memoryComputer()
    await delta.compute(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }]))
    const second = memoryProfile([{ stack: ['main.a'], values: [3, 30, 0] }, { stack: ['main.b'], values: [1, 1, 0] }])
    const before = Buffer.from(second.encode())
    await delta.compute(second)
    assert.deepEqual(Buffer.from(second.encode()), before)
  })
})

describe('deltaValueTypesFor', () => {
  it('subtracts allocations for memory and contentions for mutex and block, as Alloy', () => {
    assert.deepEqual(deltaValueTypesFor('memory')?.map((v) => v.type), ['alloc_objects', 'alloc_space'])
    assert.deepEqual(deltaValueTypesFor('mutex')?.map((v) => v.type), ['contentions', 'delay'])
    assert.deepEqual(deltaValueTypesFor('block')?.map((v) => `${v.type}/${v.unit}`), ['contentions/count', 'delay/nanoseconds'])
  })

  it('leaves other profile types alone', () => {
    for (const name of ['process_cpu', 'goroutine', 'fgprof', 'toString', 'custom']) assert.equal(deltaValueTypesFor(name), undefined)
  })
})

describe('DeltaComputer.compute limits', () => {
  it('applies a lower cap given for one call (a shared budget running low) and drops the baseline', async () => {
    const delta = memoryComputer()
    const two = memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }, { stack: ['main.b'], values: [1, 10, 0] }])
    await delta.compute(two)
    const perTwo = delta.stateBytes()
    const result = await delta.compute(two, { maxStateBytes: perTwo - 1 })
    assert.deepEqual(result, { ok: false, code: 'DELTA_STATE_TOO_LARGE', reason: `delta state would exceed ${perTwo - 1} bytes; baseline dropped` })
    assert.equal(delta.hasBaseline(), false)
    assert.deepEqual(await delta.compute(two, { maxStateBytes: perTwo }), { ok: true, body: null }, 'a cap that fits is a baseline again')
  })
})

describe('DeltaComputer with the delta computed by the check', () => {
  it('gives the deltas and state of the inline computation, on the worker for a large profile and inline for a small one', async () => {
    for (const samples of [20, 4_000]) {
      const bodies = heapSnapshots({ samples, depth: 12, snapshots: 4, functions: 300 }).map((p) => gzipSync(p.encode()))
      const inline = memoryComputer()
      const checked = memoryComputer()
      for (const [i, body] of bodies.entries()) {
        const expected = await inline.compute(Profile.decode(gunzipSync(body)))
        const result = await checkProfileAsync(body, 'application/octet-stream', { maxDecompressedBytes: 64 * 1024 * 1024, delta: checked.input() })
        assert.ok(result.ok && result.delta !== undefined, `snapshot ${i} of ${samples}: checked with its delta`)
        const got = checked.apply(result.delta)
        if (i === 0) assert.deepEqual(got, { ok: true, body: null })
        else assert.deepEqual(decodeDelta(got), decodeDelta(expected), `snapshot ${i} of ${samples}`)
        assert.equal(checked.stateBytes(), inline.stateBytes())
      }
    }
  })

  it('keeps its baseline when a check fails, and drops it when the delta does', async () => {
    const delta = memoryComputer()
    const first = gzipSync(memoryProfile([{ stack: ['main.a'], values: [1, 10, 0] }]).encode())
    const check = (body: Buffer, computer: DeltaComputer) =>
      checkProfileAsync(body, 'application/octet-stream', { maxDecompressedBytes: 1024 * 1024, delta: computer.input() })
    const baseline = await check(first, delta)
    assert.ok(baseline.ok && baseline.delta !== undefined)
    delta.apply(baseline.delta)
    const refused = await check(Buffer.from('not a profile at all, just text'), delta)
    assert.equal(refused.ok, false)
    assert.equal(delta.hasBaseline(), true, 'a refused scrape leaves the baseline as it was')
    const tooLarge = await checkProfileAsync(first, 'application/octet-stream', { maxDecompressedBytes: 1024 * 1024, delta: delta.input({ maxStateBytes: 1 }) })
    assert.ok(tooLarge.ok && tooLarge.delta !== undefined)
    assert.deepEqual(delta.apply(tooLarge.delta), { ok: false, code: 'DELTA_STATE_TOO_LARGE', reason: 'delta state would exceed 1 bytes; baseline dropped' })
    assert.equal(delta.hasBaseline(), false)
  })
})
