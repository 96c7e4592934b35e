/**
 * Collapsed stacks → pprof (src/pprof/collapsed.ts): the conversion itself, and that a large body is
 * converted on the check worker (docs/hostile-input.md, "Work off the event loop") with the same result as
 * inline, while the event loop is held no more than a few ms (main-thread CPU time, helpers/loop-hold.ts).
 */
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Profile } from 'pprof-format'
import { INLINE_COLLAPSED_MAX_BYTES, collapsedToPprof, collapsedToPprofAsync } from '../../../src/pprof/collapsed.js'
import type { CollapsedShape } from '../../../src/pprof/collapsed.js'
import { sharedCheckPool } from '../../../src/pprof/check-pool.js'
import { watchLoopHolds } from '../../helpers/loop-hold.js'

const CPU: CollapsedShape = { lines: false, profileName: 'process_cpu', valueType: 'samples', unit: 'count', sampleRate: 100, fromSeconds: 100, untilSeconds: 110 }
const MAX_HOLD_MS = 20

function stacksOf(raw: Uint8Array): Map<string, number[]> {
  const p = Profile.decode(raw)
  const name = (id: unknown): string => String(p.stringTable.strings[Number(p.function[Number(id) - 1]?.name)])
  return new Map(p.sample.map((s) => [s.locationId.map(name).join('<'), s.value.map(Number)]))
}

/** `count` distinct stacks of 8 frames, each line twice (so summing is exercised). */
function foldedText(count: number): Buffer {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    const stack = Array.from({ length: 8 }, (_, d) => `pkg${d}.func${(i * 7 + d) % 5_000}`).join(';')
    lines.push(`${stack};leaf${i} ${(i % 9) + 1}`, `${stack};leaf${i} 1`)
  }
  return Buffer.from(lines.join('\n'))
}

after(() => sharedCheckPool().close())

describe('collapsedToPprof', () => {
  it('sums equal stacks, leaf first, with samples and nanoseconds at the sample rate for CPU', () => {
    const result = collapsedToPprof(Buffer.from('main;work;leaf 3\n\nmain;idle 2\nmain;work;leaf 4\n'), CPU)
    assert.ok(result.ok)
    assert.deepEqual(
      stacksOf(result.raw),
      new Map([
        ['leaf<work<main', [7, 70_000_000]],
        ['idle<main', [2, 20_000_000]]
      ])
    )
    const p = Profile.decode(result.raw)
    assert.equal(Number(p.durationNanos), 10e9)
    assert.equal(Number(p.timeNanos), 100e9)
  })

  it('counts each line once in the lines format, in the unit asked for', () => {
    const result = collapsedToPprof(Buffer.from('a;b\na;b\nc'), { ...CPU, lines: true, profileName: 'memory', valueType: 'alloc_space', unit: 'bytes' })
    assert.ok(result.ok)
    assert.deepEqual(stacksOf(result.raw), new Map([['b<a', [2]], ['c', [1]]]))
    const p = Profile.decode(result.raw)
    assert.deepEqual(p.sampleType.map((t) => `${String(p.stringTable.strings[Number(t.type)])}/${String(p.stringTable.strings[Number(t.unit)])}`), ['alloc_space/bytes'])
  })

  it('names the line that is not "frames COUNT", and refuses an empty body', () => {
    assert.deepEqual(collapsedToPprof(Buffer.from('a;b 1\n\na;b x\n'), CPU), { ok: false, reason: 'folded line 3: expected "frame;frame;... COUNT", got "a;b x"' })
    assert.deepEqual(collapsedToPprof(Buffer.from('a;b -1'), CPU), { ok: false, reason: 'folded line 1: expected "frame;frame;... COUNT", got "a;b -1"' })
    assert.deepEqual(collapsedToPprof(Buffer.from('\n \n'), CPU), { ok: false, reason: 'the body holds no stacks' })
  })
})

describe('collapsedToPprofAsync', () => {
  it('converts a large body on the worker into what the inline conversion gives, holding the loop a few ms at most', async (t) => {
    // The worker starts with the first body that needs one (a few ms of the loop, once): not measured.
    const workersBefore = sharedCheckPool().workers
    assert.ok((await collapsedToPprofAsync(foldedText(200), CPU)).ok)
    assert.equal(sharedCheckPool().workers, workersBefore + 1, 'a worker converted a body over the inline limit')
    const body = foldedText(20_000)
    assert.ok(body.length > 100 * INLINE_COLLAPSED_MAX_BYTES, `a large body: ${body.length} bytes`)
    const holds = watchLoopHolds()
    t.after(() => holds.stop())
    holds.takeMaxMs()
    const converted = await collapsedToPprofAsync(body, CPU)
    const heldMs = holds.takeMaxMs()
    assert.ok(converted.ok)
    const inlineStarted = performance.now()
    const inline = collapsedToPprof(body, CPU)
    t.diagnostic(`${body.length} bytes: loop held ≤ ${heldMs.toFixed(1)} ms ${holds.cpuTime ? 'CPU' : 'wall'} on the worker; inline ${(performance.now() - inlineStarted).toFixed(0)} ms`)
    assert.ok(inline.ok)
    assert.deepEqual(Buffer.from(converted.raw), Buffer.from(inline.raw))
    assert.equal(stacksOf(converted.raw).size, 20_000)
    assert.ok(heldMs <= MAX_HOLD_MS, `the event loop was held ${heldMs.toFixed(1)} ms`)
  })

  it('gives the worker’s refusal with the line it found', async () => {
    const body = Buffer.concat([foldedText(2_000), Buffer.from('\nnot a folded line')])
    assert.ok(body.length > INLINE_COLLAPSED_MAX_BYTES)
    assert.deepEqual(await collapsedToPprofAsync(body, CPU), { ok: false, reason: 'folded line 4001: expected "frame;frame;... COUNT", got "not a folded line"' })
  })
})
